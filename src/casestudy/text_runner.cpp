#include "casestudy/text_runner.hpp"

#include <fmt/core.h>

#include <chrono>
#include <filesystem>

#include "casestudy/classification.hpp"
#include "recur/data/glove.hpp"
#include "recur/data/imdb.hpp"
#include "recur/data/npm_package.hpp"
#include "recur/data/text.hpp"
#include "recur/io/model_io.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/metrics/metrics.hpp"
#include "recur/model/sequential.hpp"
#include "recur/tensor/parallel.hpp"

namespace recur::casestudy {
namespace fs = std::filesystem;
namespace {

// Padded id sequences of the samples `index` as a (n, maxlen) tensor of ids.
Tensor<float> ids_tensor(const std::vector<std::vector<std::int32_t>>& seqs,
                         const std::vector<Index>& index, const TextSpec& t) {
    std::vector<std::vector<std::int32_t>> picked;
    picked.reserve(index.size());
    for (Index i : index) picked.push_back(seqs[static_cast<std::size_t>(i)]);
    const std::vector<std::int32_t> flat =
        pad_sequences(picked, t.maxlen, side_from_name(t.padding), side_from_name(t.truncating));
    Tensor<float> x({static_cast<Index>(index.size()), t.maxlen});
    for (std::size_t k = 0; k < flat.size(); ++k)
        x[static_cast<Index>(k)] = static_cast<float>(flat[k]);
    return x;
}

Tensor<float> labels_tensor(const std::vector<int>& labels, const std::vector<Index>& index) {
    Tensor<float> y({static_cast<Index>(index.size()), 1});
    for (std::size_t k = 0; k < index.size(); ++k)
        y[static_cast<Index>(k)] = static_cast<float>(labels[static_cast<std::size_t>(index[k])]);
    return y;
}

}  // namespace

report::Metrics run_text_case(const CaseConfig& c, const RunOptions& o) {
    if (o.threads > 0) set_num_threads(o.threads);
    const std::uint64_t seed = o.seed.value_or(c.seed);
    const int epochs = o.epochs.value_or(c.epochs);
    const TextSpec& t = c.text;
    const std::string cache = o.cache_dir.empty() ? default_cache_dir() : o.cache_dir;
    fs::create_directories(o.out_dir);
    const fs::path out(o.out_dir);

    const auto t_data = std::chrono::steady_clock::now();
    const ImdbReviews reviews = load_imdb(cache);
    const Split split = balanced_split(reviews.labels, static_cast<std::uint64_t>(t.split_seed));
    std::vector<std::string> train_texts;
    train_texts.reserve(split.train.size());
    for (Index i : split.train) train_texts.push_back(reviews.texts[static_cast<std::size_t>(i)]);

    // Ids for every review, from a vocabulary built on the training reviews only.
    std::vector<std::vector<std::int32_t>> seqs;
    Index input_dim = 0;
    std::vector<std::pair<std::string, std::int32_t>> word_index;
    std::vector<std::pair<std::string, long long>> word_counts;
    if (t.pipeline == "imdb_ids") {
        ImdbIdOptions io;
        io.num_words = t.num_words;
        const ImdbVocabulary vocab(train_texts, io);
        seqs = vocab.encode(reviews.texts);
        input_dim = vocab.id_limit();
        for (Index r = 0; r < vocab.size(); ++r)
            word_index.emplace_back(vocab.words()[static_cast<std::size_t>(r)],
                                    static_cast<std::int32_t>(r + 1 + io.index_from));
    } else {
        TokenizerOptions to;
        to.num_words = t.num_words;
        to.oov_token = "<oov>";  // the book's oov_token=2; '<' is filtered, so no word equals it
        Tokenizer tok(to);
        tok.fit_on_texts(train_texts);
        seqs = tok.texts_to_sequences(reviews.texts);
        input_dim = tok.vocab_size();  // the book: len(word_index) + 1 = 88,586
        for (const auto& [w, id] : tok.word_index()) word_index.emplace_back(w, id);
        for (const auto& [w, n] : tok.word_counts()) word_counts.emplace_back(w, n);
    }
    const Tensor<float> x_train = ids_tensor(seqs, split.train, t),
                        x_test = ids_tensor(seqs, split.test, t);
    const Tensor<float> y_train = labels_tensor(reviews.labels, split.train),
                        y_test = labels_tensor(reviews.labels, split.test);
    const double data_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_data).count();

    Sequential<float> model(ShapeSpec::ids(t.maxlen), seed);
    auto& embedding = model.add<Embedding<float>>(EmbeddingOptions(input_dim, t.embedding_dim)
                                                      .trainable(t.embedding == "learned")
                                                      .sparse(t.sparse_embedding));
    model.add<GRU<float>>(RecurrentOptions(t.gru_units)
                              .dropout(t.dropout)
                              .recurrent_dropout(t.recurrent_dropout)
                              .reset_after(t.reset_after)
                              .recurrent_activation(activation_from_name(t.recurrent_activation)));
    model.add<Dense<float>>(DenseOptions(1).activation(Activation::sigmoid));
    Coverage coverage;
    if (t.embedding == "glove") {
        const WordVectors glove = load_glove(cache);
        if (glove.dim != t.embedding_dim)
            throw DataError(glove_cache_path(cache) + ": vectors have " +
                            std::to_string(glove.dim) + " dimensions, " + c.path + " asks for " +
                            std::to_string(t.embedding_dim));
        embedding.set_embeddings(
            embedding_matrix(glove, word_index, input_dim, word_counts, &coverage));
    }
    if (o.verbose) {
        fmt::print(stderr, "{} reviews ({} train / {} test); vocabulary {}; {:.1f} s\n",
                   reviews.size(), split.train.size(), split.test.size(), input_dim, data_seconds);
        if (t.embedding == "glove")
            fmt::print(stderr, "GloVe covers {} of {} words ({:.1f} %), {:.1f} % of the tokens\n",
                       coverage.vocab_found, coverage.vocab_total, 100 * coverage.vocab_share(),
                       100 * coverage.token_share());
        fmt::print(stderr, "{}", model.summary());
    }
    model.compile(Loss::bce, c.optimizer);

    EarlyStopping<float> early(c.early);
    const FitOptions<float> fo = classification_fit_options(c, o, seed, epochs, early);
    const auto t0 = std::chrono::steady_clock::now();
    History history = model.fit(x_train, y_train, fo, &x_test, &y_test);
    const double train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int best_epoch = c.early_stopping ? early.best_epoch() : history.epochs_run();

    const Tensor<float> prob = model.predict(x_test, 1024);
    std::vector<double> p(static_cast<std::size_t>(prob.size())), labels(p.size());
    for (Index i = 0; i < prob.size(); ++i)
        p[static_cast<std::size_t>(i)] = prob[i], labels[static_cast<std::size_t>(i)] = y_test[i];
    const double auc = roc_auc(std::span<const double>(p), labels);

    report::Metrics m;
    m.emplace_back("params_total", static_cast<double>(model.param_count()));
    m.emplace_back("params_trainable", static_cast<double>(model.trainable_param_count()));
    m.emplace_back("vocab_size", static_cast<double>(input_dim));
    m.emplace_back("n_train", static_cast<double>(split.train.size()));
    m.emplace_back("n_test", static_cast<double>(split.test.size()));
    m.emplace_back("test_texts_also_in_train",
                   static_cast<double>(count_shared_texts(reviews.texts, split)));
    m.emplace_back("test_auc", auc);
    m.emplace_back("test_accuracy", binary_accuracy(std::span<const double>(p), labels));
    m.emplace_back("test_base_rate", mean_of(labels));
    if (t.embedding == "glove") {
        m.emplace_back("glove_vocab_coverage", coverage.vocab_share());
        m.emplace_back("glove_token_coverage", coverage.token_share());
    }
    m.emplace_back("epochs_run", history.epochs_run());
    m.emplace_back("best_epoch", best_epoch);
    m.emplace_back("seconds_per_epoch", mean_of(history.seconds));
    m.emplace_back("train_seconds", train_seconds);
    m.emplace_back("data_seconds", data_seconds);
    for (const auto& r : c.reference) m.push_back(r);
    m.emplace_back("seed", static_cast<double>(seed));

    write_file_atomic((out / "metrics.json").string(), report::metrics_json(m));
    history.write_csv((out / "history.csv").string());
    std::string csv = "review,label,probability\n";
    for (std::size_t k = 0; k < p.size(); ++k)
        csv += fmt::format("{},{:g},{:.6g}\n", split.test[k], labels[k], p[k]);
    write_file_atomic((out / "predictions.csv").string(), csv);
    write_learning_curve((out / "learning_curve.svg").string(), c.name, history, best_epoch);
    write_roc_plot((out / "roc_curve.svg").string(),
                   fmt::format("{}: ROC on the 25,000 test reviews (AUC {:.4f})", c.name, auc),
                   labels, {{"model", p, "#d62728"}});
    save_model(model, (out / "model.recur").string());
    write_file_atomic((out / "config.toml").string(), read_file_text(c.path));
    return m;
}

}  // namespace recur::casestudy
