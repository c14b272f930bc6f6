// recur/data/text.hpp — a Keras-compatible text pipeline: keras_preprocessing.text's
// text_to_word_sequence and Tokenizer, keras_preprocessing.sequence's pad_sequences (as used by
// Keras 2.2.4, which pins keras_preprocessing 1.0.5), keras.datasets.imdb.load_data's id scheme
// applied to raw review texts, and a balanced, seeded train/test split of the IMDB package.
//
// Text is a sequence of bytes. Tokenising, as text_to_word_sequence(text, filters, lower, split):
//   1. if `lower`, ASCII 'A'..'Z' become 'a'..'z'; every other byte is kept. Keras calls Python's
//      str.lower(), which also lower-cases non-ASCII letters ('À' -> 'à', 'Ä' -> 'ä'), so for
//      a text with such letters the tokens differ from Keras's (the IMDB reviews are nearly all
//      ASCII; their few latin-1/UTF-8 letters keep their case here);
//   2. every byte that occurs in `filters` becomes `split`;
//   3. the text is cut at every `split` byte and empty pieces are dropped.
// Only `split` separates words: with the default filters "\t" and "\n" do (they are filters), but
// "\r" and other whitespace do not, so "a\rb" is one word (Python's str.split(' ') likewise).
// The default filters keep the apostrophe: "Don't!" is the one word "don't".
//
// Tokenizer, as keras_preprocessing.text.Tokenizer for word-level string input:
//   - fit_on_texts counts words (word_counts in order of first appearance, accumulated over
//     calls) and ranks them by descending count, ties in order of first appearance (Python's
//     stable list.sort(reverse=True) on the OrderedDict's items); indices start at 1; with an
//     oov_token, the OOV token takes index 1 and the ranked words follow from 2
//     ([oov_token] + sorted words);
//   - texts_to_sequences maps each word to its index; with num_words > 0 a known word of index
//     >= num_words (so only indices 1..num_words-1 are kept) is replaced by the OOV index when
//     there is an oov_token and dropped otherwise; an unknown word likewise. The OOV index itself
//     is never compared with num_words (with num_words = 1 every word becomes the OOV index);
//   - quirk kept from Keras: if the oov_token is itself one of the fitted words, Keras's
//     dict(zip([oov] + words, 1..)) keeps the word's later index for it, so index 1 is left
//     unused, the OOV index is that word's index and word_index() has one entry fewer than
//     indices used (vocab_size() stays max index + 1, see there).
//
// pad_sequences, as keras_preprocessing.sequence.pad_sequences(dtype='int32'): each sequence
// longer than maxlen loses its first (truncating pre) or last (post) elements; a shorter one is
// filled with `value` before (padding pre) or after (post) its elements. maxlen 0 means the
// longest sequence's length (Keras's maxlen=None).
//
// IMDB ids, as keras.datasets.imdb.load_data(num_words, skip_top, start_char, oov_char,
// index_from) does to its pre-tokenised word ranks. Keras ships ranks only; for raw reviews recur
// builds them (ImdbVocabulary): a review's words are text_to_word_sequence(text) after every
// HTML line break "<br />", "<br/>" or "<br>" (ASCII case-insensitive) is replaced by a space
// (otherwise each break leaves a word "br"); rank 1 is the most frequent word of the training
// texts, ties in order of first appearance. A text's ids, in Keras's order of operations:
//   1. [start_char] + [rank + index_from for every word] (a word not in the vocabulary gets
//      oov_char here; Keras's own data has no such words, the docstring says unseen test words
//      were skipped when the data set was made);
//   2. every id w, start_char included, with !(skip_top <= w < num_words) becomes oov_char. The
//      bounds apply to the shifted ids, exactly as Keras: with index_from 3, num_words = 20000
//      keeps ranks 1..19996, skip_top = 5 turns only rank 1 (id 4) into oov_char, and any
//      skip_top > start_char turns the start mark itself into oov_char. num_words 0: no upper cut
//      (Keras's num_words=None uses the largest id of the whole data set and so turns that one
//      word into oov_char; recur does not).
//
// The IMDB package (aclImdb's 50,000 labelled reviews, stored sorted by label) is split by
// balanced_split: within each class (in ascending label order) the class's indices, in
// ascending order, are permuted with one Rng(seed) (Rng::permutation, portable), the first
// llround(train_share * class size) (halves rounded up) go to train and the rest to test; then
// train and then test are each shuffled by a further permutation from the same Rng, so the
// classes are interleaved. With 25,000 reviews per class and train_share 0.5 each side gets
// 12,500 of each class.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "recur/tensor/tensor.hpp"

namespace recur {

// Keras's default filters: punctuation except the apostrophe, plus tab and newline.
inline constexpr char kKerasFilters[] = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

// The words of `text` (see the file comment): lower-case (ASCII), filter bytes -> split, split,
// empty pieces dropped.
std::vector<std::string> text_to_word_sequence(const std::string& text,
                                               const std::string& filters = kKerasFilters,
                                               bool lower = true, char split = ' ');

struct TokenizerOptions {
    Index num_words = 0;  // keep indices 1..num_words-1 in texts_to_sequences; 0 = no limit
    std::string filters = kKerasFilters;
    bool lower = true;
    char split = ' ';
    std::string oov_token = "";  // empty = none; else index 1, the stand-in for dropped words
};

class Tokenizer {
  public:
    explicit Tokenizer(TokenizerOptions opt = {});

    // Counts the words of every text (adding to earlier calls) and re-ranks word_index().
    void fit_on_texts(const std::vector<std::string>& texts);

    // Each text's word indices (see the file comment for num_words and oov_token).
    std::vector<std::vector<std::int32_t>> texts_to_sequences(
        const std::vector<std::string>& texts) const;
    std::vector<std::int32_t> text_to_sequence(const std::string& text) const;

    // Word -> index (1-based), as Keras's word_index, OOV token included.
    const std::unordered_map<std::string, std::int32_t>& word_index() const { return index_; }
    // The index of `word`, 0 if it has none.
    std::int32_t index_of(const std::string& word) const;
    // The index of the OOV token, 0 if there is no oov_token (or nothing was fitted).
    std::int32_t oov_index() const { return oov_index_; }
    // Every fitted word and its count, in order of first appearance (Keras's word_counts).
    const std::vector<std::pair<std::string, Index>>& word_counts() const { return counts_; }
    // Texts fitted so far.
    Index document_count() const { return documents_; }
    // The largest index + 1: the input dimension of an Embedding over texts_to_sequences (with
    // num_words = 0). This is Keras users' len(word_index) + 1, except in the oov_token-is-a-word
    // quirk, where that would be one too small.
    Index vocab_size() const { return max_index_ + 1; }
    const TokenizerOptions& options() const { return opt_; }

  private:
    TokenizerOptions opt_;
    std::vector<std::pair<std::string, Index>> counts_;
    std::unordered_map<std::string, std::size_t> count_pos_;  // word -> position in counts_
    std::unordered_map<std::string, std::int32_t> index_;
    std::int32_t oov_index_ = 0;
    std::int32_t max_index_ = 0;
    Index documents_ = 0;
};

enum class Side { pre, post };

// "pre" or "post"; anything else throws std::invalid_argument.
Side side_from_name(const std::string& name);
const char* side_name(Side side);

// The length of the longest sequence (0 for none): pad_sequences' width for maxlen 0.
Index longest_length(const std::vector<std::vector<std::int32_t>>& seqs);

// A row-major (seqs.size(), width) array, width = maxlen, or longest_length(seqs) when maxlen is
// 0; row i is seqs[i] truncated and padded as the file comment says. maxlen < 0 throws
// std::invalid_argument.
std::vector<std::int32_t> pad_sequences(const std::vector<std::vector<std::int32_t>>& seqs,
                                        Index maxlen, Side padding = Side::pre,
                                        Side truncating = Side::pre, std::int32_t value = 0);

struct ImdbIdOptions {
    Index num_words = 20000;  // ids >= num_words become oov_char; 0 = no upper cut
    Index skip_top = 0;       // ids < skip_top become oov_char
    std::int32_t start_char = 1;
    std::int32_t oov_char = 2;
    std::int32_t index_from = 3;  // id = rank + index_from
};

// The words of an IMDB review: HTML line breaks replaced by spaces, then
// text_to_word_sequence(text) with Keras's defaults.
std::vector<std::string> imdb_words(const std::string& text);

// Word ranks over training reviews and load_data's ids (see the file comment).
class ImdbVocabulary {
  public:
    ImdbVocabulary() = default;
    // Ranks the words of `train_texts`; num_words and skip_top < 0 throw std::invalid_argument.
    explicit ImdbVocabulary(const std::vector<std::string>& train_texts, ImdbIdOptions opt = {});

    std::vector<std::int32_t> encode(const std::string& text) const;
    std::vector<std::vector<std::int32_t>> encode(const std::vector<std::string>& texts) const;

    // The rank of `word` (1 = most frequent), 0 if it is not in the vocabulary.
    Index rank(const std::string& word) const;
    // Words by rank: words()[r - 1] has rank r.
    const std::vector<std::string>& words() const { return words_; }
    Index size() const { return static_cast<Index>(words_.size()); }
    // The largest id encode() can return + 1: the input dimension of an Embedding.
    Index id_limit() const;
    const ImdbIdOptions& options() const { return opt_; }

  private:
    ImdbIdOptions opt_;
    std::vector<std::string> words_;
    std::unordered_map<std::string, Index> rank_;
};

struct Split {
    std::vector<Index> train, test;
};

// A seeded split balanced within every class (see the file comment). train_share outside
// [0, 1] throws std::invalid_argument.
Split balanced_split(const std::vector<int>& labels, std::uint64_t seed = 42,
                     double train_share = 0.5);

// How many test entries of `split` have a text that also occurs verbatim among its train texts
// (each such test entry counts once). An index outside `texts` throws std::out_of_range.
Index count_shared_texts(const std::vector<std::string>& texts, const Split& split);

}  // namespace recur
