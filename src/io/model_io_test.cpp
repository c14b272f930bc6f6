#include "recur/io/model_io.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/simple_rnn.hpp"

namespace recur {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ helpers

// A bit-at-a-time CRC-32 (IEEE 802.3 / zlib), independent of the table-driven one in model_io.cpp.
std::uint32_t reference_crc32(const std::string& s, std::size_t n) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= static_cast<unsigned char>(s[i]);
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <typename U>
U get_le(const std::string& s, std::size_t at) {
    U v;
    std::memcpy(&v, s.data() + at, sizeof(U));
    return v;
}

template <typename U>
void set_le(std::string& s, std::size_t at, U v) {
    std::memcpy(s.data() + at, &v, sizeof(U));
}

// Recomputes the trailing CRC so a deliberate edit reaches the checks after the checksum.
void fix_crc(std::string& s) {
    set_le<std::uint32_t>(s, s.size() - 4, reference_crc32(s, s.size() - 4));
}

// The FormatError message `f` throws (a test failure if it throws nothing or something else).
std::string format_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const FormatError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected FormatError, got another exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected FormatError, nothing was thrown";
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Overwrites every parameter with seeded values, so biases are non-zero and every tensor counts.
template <typename T>
void randomize(Model<T>& model, std::uint64_t seed) {
    Rng rng(seed);
    for (Param<T>* p : model.params())
        for (Index i = 0; i < p->value.size(); ++i) p->value[i] = T(rng.uniform(-0.5, 0.5));
}

// sequence(5, 2) -> LSTM(4, return_sequences) -> GRU(3, reset_after false) -> Dense(1).
template <typename T>
Sequential<T> make_sequence_model(std::uint64_t seed, Index lstm_units = 4) {
    Sequential<T> model(ShapeSpec::sequence(5, 2), seed);
    model.template add<LSTM<T>>(LSTMOptions(lstm_units).return_sequences(true));
    model.template add<GRU<T>>(GRUOptions(3).reset_after(false));
    model.template add<Dense<T>>(DenseOptions(1));
    return model;
}

// ids(6) -> Embedding(10, 4, frozen) -> SimpleRNN(3) -> Dense(1, sigmoid).
Sequential<float> make_ids_model(std::uint64_t seed) {
    Sequential<float> model(ShapeSpec::ids(6), seed);
    model.add<Embedding<float>>(EmbeddingOptions(10, 4).trainable(false));
    model.add<SimpleRNN<float>>(SimpleRNNOptions(3));
    model.add<Dense<float>>(DenseOptions(1).activation(Activation::sigmoid));
    return model;
}

template <typename T>
Tensor<T> sequence_data(Index n) {
    Tensor<T> x({n, 5, 2});
    Rng rng(7);
    for (Index i = 0; i < x.size(); ++i) x[i] = T(rng.uniform(-1.0, 1.0));
    return x;
}

Tensor<float> ids_data(Index n) {
    Tensor<float> x({n, 6});
    Rng rng(11);
    for (Index i = 0; i < x.size(); ++i) x[i] = float(rng.below(10));
    return x;
}

template <typename T>
void expect_bitwise_equal(const Tensor<T>& a, const Tensor<T>& b) {
    ASSERT_EQ(a.shape(), b.shape());
    for (Index i = 0; i < a.size(); ++i)
        ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(T)), 0)
            << "element " << i << ": " << a[i] << " vs " << b[i];
}

template <typename T>
std::vector<bool> trainable_flags(Model<T>& model) {
    std::vector<bool> out;
    for (Param<T>* p : model.params()) out.push_back(p->trainable);
    return out;
}

// Per-test scratch directory under the system temp dir, removed afterwards.
class ModelIO : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("recur_model_io_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir_, ec);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    // Names of leftover temporary files ("*.tmp-*") anywhere under the test directory.
    std::vector<std::string> temp_files() const {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(dir_))
            if (contains(e.path().filename().string(), ".tmp-")) out.push_back(e.path().string());
        return out;
    }
    // A valid saved sequence model, as bytes.
    std::string saved_sequence_model(const std::string& name) {
        auto model = make_sequence_model<float>(1);
        randomize(model, 2);
        save_model(model, path(name));
        return read_bytes(path(name));
    }
    fs::path dir_;
};

// ------------------------------------------------------------------ round trips

TEST_F(ModelIO, SequenceModelRoundTripIsBitExact) {
    auto model = make_sequence_model<float>(1);
    randomize(model, 2);
    model.layer(2).set_trainable(false);  // a frozen Dense: only the file records it
    const std::string file = path("seq.rmdl");
    save_model(model, file);
    EXPECT_TRUE(temp_files().empty());

    Model<float> loaded = load_model<float>(file);
    ASSERT_EQ(loaded.size(), model.size());
    EXPECT_EQ(loaded.input_spec(), model.input_spec());
    for (std::size_t i = 0; i < model.size(); ++i) {
        EXPECT_EQ(loaded.layer(i).kind(), model.layer(i).kind());
        EXPECT_EQ(loaded.layer(i).name(), model.layer(i).name());
        EXPECT_EQ(loaded.layer(i).config_json(), model.layer(i).config_json());
    }
    EXPECT_EQ(loaded.summary(), model.summary());
    EXPECT_EQ(trainable_flags(loaded), trainable_flags(model));
    EXPECT_EQ(loaded.trainable_param_count(), model.trainable_param_count());

    const auto w0 = model.get_weights(), w1 = loaded.get_weights();
    ASSERT_EQ(w0.size(), w1.size());
    for (std::size_t i = 0; i < w0.size(); ++i) expect_bitwise_equal(w0[i], w1[i]);

    const auto x = sequence_data<float>(3);
    const auto y0 = model.predict(x), y1 = loaded.predict(x);
    EXPECT_EQ(y0.shape(), (std::vector<Index>{3, 1}));
    expect_bitwise_equal(y0, y1);
}

TEST_F(ModelIO, EmbeddingModelRoundTripKeepsFrozenParams) {
    auto model = make_ids_model(3);
    randomize(model, 4);
    // A single frozen parameter (per-parameter granularity survives the file too).
    auto& rnn = dynamic_cast<SimpleRNN<float>&>(model.layer(1));
    rnn.bias().trainable = false;
    const std::string file = path("ids.rmdl");
    save_model(model, file);

    Model<float> loaded = load_model<float>(file);
    EXPECT_EQ(loaded.input_spec(), ShapeSpec::ids(6));
    EXPECT_EQ(loaded.summary(), model.summary());
    EXPECT_EQ(trainable_flags(loaded), trainable_flags(model));
    EXPECT_EQ(trainable_flags(loaded), (std::vector<bool>{false, true, true, false, true, true}));
    auto& emb = dynamic_cast<Embedding<float>&>(loaded.layer(0));
    EXPECT_FALSE(emb.options().trainable());
    EXPECT_FALSE(emb.embeddings().trainable);

    const auto x = ids_data(4);
    expect_bitwise_equal(model.predict(x), loaded.predict(x));
}

TEST_F(ModelIO, DoubleModelStoresFloat32) {
    auto model = make_sequence_model<double>(5);
    randomize(model, 6);
    const std::string file = path("double.rmdl");
    save_model(model, file);
    Model<double> loaded = load_model<double>(file);
    const auto w0 = model.get_weights(), w1 = loaded.get_weights();
    ASSERT_EQ(w0.size(), w1.size());
    for (std::size_t i = 0; i < w0.size(); ++i) {
        ASSERT_EQ(w0[i].shape(), w1[i].shape());
        for (Index k = 0; k < w0[i].size(); ++k)
            EXPECT_EQ(w1[i][k], static_cast<double>(static_cast<float>(w0[i][k])));
    }
    // The same file also loads as a float model.
    Model<float> as_float = load_model<float>(file);
    EXPECT_EQ(as_float.summary(), model.summary());
}

TEST_F(ModelIO, SavingOverwritesAnExistingFile) {
    const std::string file = path("m.rmdl");
    auto a = make_sequence_model<float>(1);
    randomize(a, 2);
    save_model(a, file);
    auto b = make_ids_model(3);
    save_model(b, file);
    EXPECT_TRUE(temp_files().empty());
    EXPECT_EQ(load_model<float>(file).summary(), b.summary());
}

TEST_F(ModelIO, FileLayoutMatchesFormatDoc) {
    EXPECT_EQ(reference_crc32("123456789", 9), 0xCBF43926u);  // the CRC-32 check value
    const std::string bytes = saved_sequence_model("layout.rmdl");
    ASSERT_GE(bytes.size(), 28u);
    EXPECT_EQ(bytes.substr(0, 8), "RECURMDL");
    EXPECT_EQ(get_le<std::uint32_t>(bytes, 8), kModelFormatVersion);
    EXPECT_EQ(get_le<std::uint32_t>(bytes, 12), 0u);
    const auto payload_len = get_le<std::uint64_t>(bytes, 16);
    EXPECT_EQ(24 + payload_len + 4, bytes.size());
    EXPECT_EQ(get_le<std::uint32_t>(bytes, bytes.size() - 4),
              reference_crc32(bytes, bytes.size() - 4));

    std::size_t at = 24;
    const auto json_len = get_le<std::uint64_t>(bytes, at);
    at += 8;
    const auto arch = nlohmann::json::parse(bytes.substr(at, json_len));
    at += json_len;
    EXPECT_EQ(arch.at("input"),
              (nlohmann::json{{"kind", "sequence"}, {"steps", 5}, {"features", 2}}));
    ASSERT_EQ(arch.at("layers").size(), 3u);
    EXPECT_EQ(arch["layers"][0]["kind"], "LSTM");
    EXPECT_EQ(arch["layers"][0]["name"], "lstm_1");
    EXPECT_EQ(arch["layers"][0]["config"]["units"], 4);
    EXPECT_EQ(arch["layers"][0]["config"]["return_sequences"], true);
    EXPECT_EQ(arch["layers"][1]["kind"], "GRU");
    EXPECT_EQ(arch["layers"][1]["config"]["reset_after"], false);
    EXPECT_EQ(arch["layers"][2]["kind"], "Dense");

    // First tensor: lstm_1/kernel, shape (2, 16), trainable, then 32 float32 values.
    EXPECT_EQ(get_le<std::uint32_t>(bytes, at), 8u);  // LSTM 3 + GRU 3 + Dense 2
    at += 4;
    const auto name_len = get_le<std::uint32_t>(bytes, at);
    at += 4;
    EXPECT_EQ(bytes.substr(at, name_len), "lstm_1/kernel");
    at += name_len;
    ASSERT_EQ(get_le<std::uint32_t>(bytes, at), 2u);
    EXPECT_EQ(get_le<std::uint64_t>(bytes, at + 4), 2u);
    EXPECT_EQ(get_le<std::uint64_t>(bytes, at + 12), 16u);
    EXPECT_EQ(static_cast<unsigned char>(bytes[at + 20]), 1u);
    auto model = make_sequence_model<float>(1);
    randomize(model, 2);
    EXPECT_EQ(get_le<float>(bytes, at + 21), model.get_weights()[0][0]);
}

// ------------------------------------------------------------------ load_weights

TEST_F(ModelIO, LoadWeightsIntoFreshModelGivesIdenticalPredictions) {
    auto model = make_sequence_model<float>(1);
    randomize(model, 2);
    const std::string file = path("w.rmdl");
    save_model(model, file);

    auto fresh = make_sequence_model<float>(99);  // same architecture, other initial weights
    const auto x = sequence_data<float>(3);
    const auto before = fresh.predict(x), expected = model.predict(x);
    bool differs = false;
    for (Index i = 0; i < before.size(); ++i) differs |= before[i] != expected[i];
    EXPECT_TRUE(differs) << "the fresh model should start from different weights";

    load_weights(fresh, file);
    expect_bitwise_equal(fresh.predict(x), expected);

    auto fresh_ids = make_ids_model(42);
    auto ids_model = make_ids_model(3);
    randomize(ids_model, 4);
    save_model(ids_model, path("ids.rmdl"));
    load_weights(fresh_ids, path("ids.rmdl"));
    expect_bitwise_equal(fresh_ids.predict(ids_data(2)), ids_model.predict(ids_data(2)));
}

TEST_F(ModelIO, LoadWeightsKeepsTheModelsOwnNamesAndTrainableFlags) {
    auto model = make_ids_model(3);
    randomize(model, 4);
    save_model(model, path("ids.rmdl"));

    // Layers named differently, Dense frozen, Embedding trainable: weights still load.
    Sequential<float> other(ShapeSpec::ids(6), 8);
    other.add<Embedding<float>>(EmbeddingOptions(10, 4)).set_name("emb");
    other.add<SimpleRNN<float>>(SimpleRNNOptions(3)).set_name("rnn");
    other.add<Dense<float>>(DenseOptions(1).activation(Activation::sigmoid)).set_trainable(false);
    const auto flags = trainable_flags(other);
    load_weights(other, path("ids.rmdl"));
    EXPECT_EQ(trainable_flags(other), flags);
    EXPECT_EQ(other.layer(0).name(), "emb");
    expect_bitwise_equal(other.predict(ids_data(3)), model.predict(ids_data(3)));
}

TEST_F(ModelIO, LoadWeightsRefusesADifferentArchitecture) {
    const std::string file = path("w.rmdl");
    saved_sequence_model("w.rmdl");

    auto wider = make_sequence_model<float>(1, /*lstm_units=*/5);
    const auto weights_before = wider.get_weights();
    std::string msg = format_error([&] { load_weights(wider, file); });
    EXPECT_TRUE(contains(msg, "architecture mismatch at layer 1")) << msg;
    EXPECT_TRUE(contains(msg, "file has LSTM {")) << msg;
    EXPECT_TRUE(contains(msg, "\"units\":4")) << msg;
    EXPECT_TRUE(contains(msg, "model has LSTM {")) << msg;
    EXPECT_TRUE(contains(msg, "\"units\":5")) << msg;
    EXPECT_TRUE(contains(msg, file)) << msg;
    // A refused load leaves the model untouched.
    const auto weights_after = wider.get_weights();
    for (std::size_t i = 0; i < weights_before.size(); ++i)
        expect_bitwise_equal(weights_before[i], weights_after[i]);

    Sequential<float> shorter(ShapeSpec::sequence(5, 2));
    shorter.add<LSTM<float>>(LSTMOptions(4).return_sequences(true));
    shorter.add<GRU<float>>(GRUOptions(3).reset_after(false));
    msg = format_error([&] { load_weights(shorter, file); });
    EXPECT_TRUE(contains(msg, "architecture mismatch: file has 3 layers, model has 2")) << msg;

    Sequential<float> other_input(ShapeSpec::sequence(7, 2));
    other_input.add<LSTM<float>>(LSTMOptions(4).return_sequences(true));
    other_input.add<GRU<float>>(GRUOptions(3).reset_after(false));
    other_input.add<Dense<float>>(DenseOptions(1));
    msg = format_error([&] { load_weights(other_input, file); });
    EXPECT_TRUE(contains(msg, "architecture mismatch: file has input sequence (None, 5, 2)"))
        << msg;

    Sequential<float> other_kind(ShapeSpec::sequence(5, 2));
    other_kind.add<LSTM<float>>(LSTMOptions(4).return_sequences(true));
    other_kind.add<LSTM<float>>(LSTMOptions(3));
    other_kind.add<Dense<float>>(DenseOptions(1));
    msg = format_error([&] { load_weights(other_kind, file); });
    EXPECT_TRUE(contains(msg, "architecture mismatch at layer 2: file has GRU")) << msg;
}

// ------------------------------------------------------------------ damaged files

TEST_F(ModelIO, MissingFileIsRefused) {
    const std::string file = path("nope.rmdl");
    const std::string msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "cannot open")) << msg;
    EXPECT_TRUE(contains(msg, file)) << msg;
}

TEST_F(ModelIO, TruncatedFileIsRefused) {
    const std::string bytes = saved_sequence_model("full.rmdl");
    const std::string file = path("cut.rmdl");

    write_bytes(file, bytes.substr(0, bytes.size() - 10));
    std::string msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "truncated: expected " + std::to_string(bytes.size()) +
                                  " bytes, found " + std::to_string(bytes.size() - 10)))
        << msg;
    EXPECT_TRUE(contains(msg, file)) << msg;
    auto model = make_sequence_model<float>(1);
    msg = format_error([&] { load_weights(model, file); });
    EXPECT_TRUE(contains(msg, "truncated")) << msg;

    write_bytes(file, bytes.substr(0, 12));  // cut inside the header, after the magic
    msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "truncated")) << msg;

    write_bytes(file, bytes.substr(0, 5));  // cut inside the magic
    msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "truncated")) << msg;

    write_bytes(file, "");
    msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "not a recur model file")) << msg;
}

TEST_F(ModelIO, FlippedByteIsCorrupt) {
    std::string bytes = saved_sequence_model("m.rmdl");
    bytes[bytes.size() / 2] ^= 0x10;
    const std::string file = path("flipped.rmdl");
    write_bytes(file, bytes);
    std::string msg = format_error([&] { load_model<float>(file); });
    EXPECT_TRUE(contains(msg, "corrupt: checksum mismatch")) << msg;
    EXPECT_TRUE(contains(msg, file)) << msg;
    auto model = make_sequence_model<float>(1);
    msg = format_error([&] { load_weights(model, file); });
    EXPECT_TRUE(contains(msg, "corrupt: checksum mismatch")) << msg;
}

TEST_F(ModelIO, TrailingBytesAreCorrupt) {
    std::string bytes = saved_sequence_model("m.rmdl");
    write_bytes(path("long.rmdl"), bytes + "xx");
    const std::string msg = format_error([&] { load_model<float>(path("long.rmdl")); });
    EXPECT_TRUE(contains(msg, "corrupt")) << msg;
}

TEST_F(ModelIO, WrongMagicIsRefused) {
    std::string bytes = saved_sequence_model("m.rmdl");
    bytes.replace(0, 8, "RECURMDX");
    write_bytes(path("magic.rmdl"), bytes);
    std::string msg = format_error([&] { load_model<float>(path("magic.rmdl")); });
    EXPECT_TRUE(contains(msg, "not a recur model file")) << msg;

    write_bytes(path("text.txt"), "hello, this is not a model at all\n");
    msg = format_error([&] { load_model<float>(path("text.txt")); });
    EXPECT_TRUE(contains(msg, "not a recur model file")) << msg;
    EXPECT_TRUE(contains(msg, path("text.txt"))) << msg;
}

TEST_F(ModelIO, NewerVersionIsRefused) {
    std::string bytes = saved_sequence_model("m.rmdl");
    set_le<std::uint32_t>(bytes, 8, kModelFormatVersion + 1);
    fix_crc(bytes);
    write_bytes(path("v2.rmdl"), bytes);
    const std::string msg = format_error([&] { load_model<float>(path("v2.rmdl")); });
    EXPECT_TRUE(contains(msg,
                         "format version 2 is newer than this build supports (1); "
                         "upgrade recur"))
        << msg;
}

TEST_F(ModelIO, ValidChecksumButUnknownLayerIsAFormatError) {
    std::string bytes = saved_sequence_model("m.rmdl");
    const auto at = bytes.find("\"LSTM\"");
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, 6, "\"LSTX\"");
    fix_crc(bytes);
    write_bytes(path("forged.rmdl"), bytes);
    const std::string msg = format_error([&] { load_model<float>(path("forged.rmdl")); });
    EXPECT_TRUE(contains(msg, "unknown layer kind 'LSTX'")) << msg;
}

TEST_F(ModelIO, ValidChecksumButBadJsonIsCorrupt) {
    std::string bytes = saved_sequence_model("m.rmdl");
    bytes[24 + 8] = '[';  // first character of the architecture JSON
    fix_crc(bytes);
    write_bytes(path("forged.rmdl"), bytes);
    const std::string msg = format_error([&] { load_model<float>(path("forged.rmdl")); });
    EXPECT_TRUE(contains(msg, "corrupt: bad architecture JSON")) << msg;
}

// ------------------------------------------------------------------ write_file_atomic

TEST_F(ModelIO, AtomicWriteReplacesTheFileAndLeavesNoTempFile) {
    const std::string file = path("a.bin");
    write_file_atomic(file, "first");
    write_file_atomic(file, std::string("second\0with nul", 15));
    EXPECT_EQ(read_bytes(file), std::string("second\0with nul", 15));
    EXPECT_TRUE(temp_files().empty());
}

TEST_F(ModelIO, AtomicWriteIntoMissingDirectoryThrowsAndCreatesNothing) {
    const std::string file = path("no/such/dir/m.rmdl");
    try {
        write_file_atomic(file, "data");
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), file)) << e.what();
        EXPECT_TRUE(contains(e.what(), std::strerror(ENOENT))) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "no"));
    EXPECT_TRUE(fs::is_empty(dir_));

    auto model = make_sequence_model<float>(1);
    EXPECT_THROW(save_model(model, file), std::runtime_error);
    EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(ModelIO, AtomicWriteFailureKeepsThePreviousTarget) {
    // rename() cannot replace a non-empty directory: the write fails at the last step.
    fs::create_directories(dir_ / "target");
    write_bytes(dir_ / "target" / "inside", "keep me");
    EXPECT_THROW(write_file_atomic(path("target"), "new"), std::runtime_error);
    EXPECT_TRUE(fs::is_directory(dir_ / "target"));
    EXPECT_EQ(read_bytes(dir_ / "target" / "inside"), "keep me");
    EXPECT_TRUE(temp_files().empty());

    // A directory without write permission (not enforceable for root).
    if (::geteuid() == 0) return;
    const std::string file = path("ro/m.rmdl");
    fs::create_directories(dir_ / "ro");
    write_file_atomic(file, "old contents");
    fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_THROW(write_file_atomic(file, "new contents"), std::runtime_error);
    fs::permissions(dir_ / "ro", fs::perms::owner_all);
    EXPECT_EQ(read_bytes(file), "old contents");
    EXPECT_TRUE(temp_files().empty());
}

}  // namespace
}  // namespace recur
