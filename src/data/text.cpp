// The Keras-compatible text pipeline: word splitting, the Tokenizer, pad_sequences, the IMDB id
// scheme over raw reviews and the balanced split; conventions in recur/data/text.hpp.
#include "recur/data/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "recur/tensor/rng.hpp"

namespace recur {
namespace {

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Word counts in order of first appearance, as Keras's OrderedDict word_counts.
class WordCounter {
  public:
    explicit WordCounter(std::vector<std::pair<std::string, Index>>& counts,
                         std::unordered_map<std::string, std::size_t>& pos)
        : counts_(counts), pos_(pos) {}

    void add(std::string&& word) {
        auto [it, fresh] = pos_.try_emplace(word, counts_.size());
        if (fresh)
            counts_.emplace_back(std::move(word), 1);
        else
            ++counts_[it->second].second;
    }

  private:
    std::vector<std::pair<std::string, Index>>& counts_;
    std::unordered_map<std::string, std::size_t>& pos_;
};

// Positions into `counts` by descending count, ties in the order of `counts` (Python's stable
// list.sort(key=count, reverse=True)).
std::vector<std::size_t> by_count(const std::vector<std::pair<std::string, Index>>& counts) {
    std::vector<std::size_t> order(counts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return counts[a].second > counts[b].second;
    });
    return order;
}

std::int32_t checked_id(Index id, const char* what) {
    if (id > std::numeric_limits<std::int32_t>::max() ||
        id < std::numeric_limits<std::int32_t>::min())
        throw std::length_error(std::string(what) + ": id " + std::to_string(id) +
                                " does not fit 32 bits");
    return static_cast<std::int32_t>(id);
}

// Length of the HTML line break "<br />", "<br/>" or "<br>" (ASCII case-insensitive) starting at
// s[i], or 0.
std::size_t line_break_at(std::string_view s, std::size_t i) {
    if (s.size() - i < 4 || s[i] != '<' || ascii_lower(s[i + 1]) != 'b' ||
        ascii_lower(s[i + 2]) != 'r')
        return 0;
    const std::string_view rest = s.substr(i + 3);
    if (rest.starts_with(">")) return 4;
    if (rest.starts_with("/>")) return 5;
    if (rest.starts_with(" />")) return 6;
    return 0;
}

}  // namespace

// ---------------------------------------------------------------- text_to_word_sequence

std::vector<std::string> text_to_word_sequence(const std::string& text, const std::string& filters,
                                               bool lower, char split) {
    std::array<bool, 256> is_filter{};
    for (char c : filters) is_filter[static_cast<unsigned char>(c)] = true;
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (lower) c = ascii_lower(c);  // Keras lower-cases first, then translates
        if (c == split || is_filter[static_cast<unsigned char>(c)]) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

// ---------------------------------------------------------------- Tokenizer

Tokenizer::Tokenizer(TokenizerOptions opt) : opt_(std::move(opt)) {
    if (opt_.num_words < 0)
        throw std::invalid_argument("Tokenizer: num_words " + std::to_string(opt_.num_words) +
                                    " is negative (0 means no limit)");
}

void Tokenizer::fit_on_texts(const std::vector<std::string>& texts) {
    WordCounter counter(counts_, count_pos_);
    for (const std::string& text : texts) {
        ++documents_;
        for (std::string& w : text_to_word_sequence(text, opt_.filters, opt_.lower, opt_.split))
            counter.add(std::move(w));
    }
    // Keras: dict(zip([oov_token] + sorted words, 1..)); a repeated key keeps its last index.
    const bool oov = !opt_.oov_token.empty();
    const Index n = static_cast<Index>(counts_.size()) + (oov ? 1 : 0);
    checked_id(n, "Tokenizer");
    index_.clear();
    index_.reserve(static_cast<std::size_t>(n));
    std::int32_t next = 1;
    if (oov) index_[opt_.oov_token] = next++;
    for (std::size_t pos : by_count(counts_)) index_[counts_[pos].first] = next++;
    max_index_ = next - 1;
    oov_index_ = oov ? index_.at(opt_.oov_token) : 0;
}

std::int32_t Tokenizer::index_of(const std::string& word) const {
    auto it = index_.find(word);
    return it == index_.end() ? 0 : it->second;
}

std::vector<std::int32_t> Tokenizer::text_to_sequence(const std::string& text) const {
    std::vector<std::int32_t> seq;
    for (const std::string& w : text_to_word_sequence(text, opt_.filters, opt_.lower, opt_.split)) {
        const std::int32_t i = index_of(w);
        if (i != 0 && (opt_.num_words == 0 || i < opt_.num_words))
            seq.push_back(i);
        else if (oov_index_ != 0)  // over the limit or unknown; the OOV index is not limited
            seq.push_back(oov_index_);
    }
    return seq;
}

std::vector<std::vector<std::int32_t>> Tokenizer::texts_to_sequences(
    const std::vector<std::string>& texts) const {
    std::vector<std::vector<std::int32_t>> seqs;
    seqs.reserve(texts.size());
    for (const std::string& text : texts) seqs.push_back(text_to_sequence(text));
    return seqs;
}

// ---------------------------------------------------------------- pad_sequences

Side side_from_name(const std::string& name) {
    if (name == "pre") return Side::pre;
    if (name == "post") return Side::post;
    throw std::invalid_argument("padding/truncating side '" + name +
                                "' is not \"pre\" or \"post\"");
}

const char* side_name(Side side) {
    return side == Side::pre ? "pre" : "post";
}

Index longest_length(const std::vector<std::vector<std::int32_t>>& seqs) {
    std::size_t longest = 0;
    for (const auto& s : seqs) longest = std::max(longest, s.size());
    return static_cast<Index>(longest);
}

std::vector<std::int32_t> pad_sequences(const std::vector<std::vector<std::int32_t>>& seqs,
                                        Index maxlen, Side padding, Side truncating,
                                        std::int32_t value) {
    if (maxlen < 0)
        throw std::invalid_argument("pad_sequences: maxlen " + std::to_string(maxlen) +
                                    " is negative (0 means the longest sequence)");
    const std::size_t width = static_cast<std::size_t>(maxlen == 0 ? longest_length(seqs) : maxlen);
    std::vector<std::int32_t> out(seqs.size() * width, value);
    for (std::size_t r = 0; r < seqs.size(); ++r) {
        const auto& s = seqs[r];
        const std::size_t len = std::min(s.size(), width);
        const std::size_t from = truncating == Side::pre ? s.size() - len : 0;
        const std::size_t to = padding == Side::pre ? width - len : 0;
        std::copy_n(s.begin() + static_cast<std::ptrdiff_t>(from), len,
                    out.begin() + static_cast<std::ptrdiff_t>(r * width + to));
    }
    return out;
}

// ---------------------------------------------------------------- IMDB ids

std::vector<std::string> imdb_words(const std::string& text) {
    std::string plain;
    plain.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const std::size_t n = line_break_at(text, i); n != 0) {
            plain += ' ';
            i += n;
        } else {
            plain += text[i++];
        }
    }
    return text_to_word_sequence(plain);
}

ImdbVocabulary::ImdbVocabulary(const std::vector<std::string>& train_texts, ImdbIdOptions opt)
    : opt_(opt) {
    if (opt_.num_words < 0)
        throw std::invalid_argument("IMDB ids: num_words " + std::to_string(opt_.num_words) +
                                    " is negative (0 means no cut)");
    if (opt_.skip_top < 0)
        throw std::invalid_argument("IMDB ids: skip_top " + std::to_string(opt_.skip_top) +
                                    " is negative");
    std::vector<std::pair<std::string, Index>> counts;
    std::unordered_map<std::string, std::size_t> pos;
    WordCounter counter(counts, pos);
    for (const std::string& text : train_texts)
        for (std::string& w : imdb_words(text)) counter.add(std::move(w));
    checked_id(static_cast<Index>(counts.size()) + opt_.index_from, "IMDB ids");
    words_.reserve(counts.size());
    rank_.reserve(counts.size());
    for (std::size_t p : by_count(counts)) {
        words_.push_back(counts[p].first);
        rank_.emplace(counts[p].first, static_cast<Index>(words_.size()));
    }
}

Index ImdbVocabulary::rank(const std::string& word) const {
    auto it = rank_.find(word);
    return it == rank_.end() ? 0 : it->second;
}

std::vector<std::int32_t> ImdbVocabulary::encode(const std::string& text) const {
    // Step 1: [start_char] + [rank + index_from ...] (unknown words: oov_char).
    std::vector<std::int32_t> ids{opt_.start_char};
    for (const std::string& w : imdb_words(text)) {
        const Index r = rank(w);
        ids.push_back(r == 0 ? opt_.oov_char : static_cast<std::int32_t>(r + opt_.index_from));
    }
    // Step 2: every id outside [skip_top, num_words), start_char included, becomes oov_char.
    for (std::int32_t& w : ids)
        if (!(opt_.skip_top <= w && (opt_.num_words == 0 || w < opt_.num_words))) w = opt_.oov_char;
    return ids;
}

std::vector<std::vector<std::int32_t>> ImdbVocabulary::encode(
    const std::vector<std::string>& texts) const {
    std::vector<std::vector<std::int32_t>> out;
    out.reserve(texts.size());
    for (const std::string& text : texts) out.push_back(encode(text));
    return out;
}

Index ImdbVocabulary::id_limit() const {
    auto kept = [&](Index w) {
        return opt_.skip_top <= w && (opt_.num_words == 0 || w < opt_.num_words);
    };
    Index top = std::max<Index>(opt_.oov_char, kept(opt_.start_char) ? opt_.start_char : 0);
    Index hi = size() + opt_.index_from;  // the largest word id, then the largest kept one
    if (opt_.num_words > 0) hi = std::min(hi, opt_.num_words - 1);
    const Index lo = std::max<Index>(1 + opt_.index_from, opt_.skip_top);
    if (size() > 0 && hi >= lo) top = std::max(top, hi);
    return top + 1;
}

// ---------------------------------------------------------------- split

Split balanced_split(const std::vector<int>& labels, std::uint64_t seed, double train_share) {
    if (!(train_share >= 0.0 && train_share <= 1.0))
        throw std::invalid_argument("balanced_split: train_share " + std::to_string(train_share) +
                                    " is not in [0, 1]");
    std::vector<int> classes(labels);
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());

    Rng rng(seed);
    Split split;
    for (int c : classes) {
        std::vector<Index> members;
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] == c) members.push_back(static_cast<Index>(i));
        const Index n = static_cast<Index>(members.size());
        const Index n_train = std::llround(train_share * static_cast<double>(n));
        const std::vector<std::int64_t> perm = rng.permutation(n);
        for (Index k = 0; k < n; ++k)
            (k < n_train ? split.train : split.test)
                .push_back(members[static_cast<std::size_t>(perm[static_cast<std::size_t>(k)])]);
    }
    for (std::vector<Index>* side : {&split.train, &split.test}) {
        const std::vector<std::int64_t> perm = rng.permutation(static_cast<Index>(side->size()));
        std::vector<Index> shuffled(side->size());
        for (std::size_t k = 0; k < shuffled.size(); ++k)
            shuffled[k] = (*side)[static_cast<std::size_t>(perm[k])];
        *side = std::move(shuffled);
    }
    return split;
}

Index count_shared_texts(const std::vector<std::string>& texts, const Split& split) {
    auto text_at = [&](Index i) -> const std::string& {
        if (i < 0 || i >= static_cast<Index>(texts.size()))
            throw std::out_of_range("count_shared_texts: index " + std::to_string(i) +
                                    " is outside the " + std::to_string(texts.size()) + " texts");
        return texts[static_cast<std::size_t>(i)];
    };
    std::unordered_set<std::string_view> train;
    train.reserve(split.train.size());
    for (Index i : split.train) train.insert(text_at(i));
    Index shared = 0;
    for (Index i : split.test) shared += train.count(text_at(i)) != 0;
    return shared;
}

}  // namespace recur
