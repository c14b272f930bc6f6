#include "recur/model/book_models.hpp"

#include <stdexcept>

#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/reshape.hpp"

namespace recur {

std::vector<std::string> book_model_names() {
    return {"sp500", "macro", "imdb", "imdb-glove", "stocks"};
}

template <typename T>
Model<T> book_model(const std::string& name, const BookModelOptions& options) {
    // Keras 2.2.4 recurrent defaults, as the book's E1 notebooks ran.
    auto keras22 = [](Index units) {
        return RecurrentOptions(units)
            .recurrent_activation(Activation::hard_sigmoid)
            .reset_after(false);
    };
    if (name == "sp500") {
        Sequential<T> m(ShapeSpec::sequence(63, 1), options.seed);
        m.template add<LSTM<T>>(keras22(20));
        m.template add<Dense<T>>(DenseOptions(1));
        return m;
    }
    if (name == "macro") {
        Sequential<T> m(ShapeSpec::sequence(24, 2), options.seed);
        m.template add<LSTM<T>>(
            keras22(12).dropout(0.2).recurrent_dropout(0.2).return_sequences(true));
        m.template add<LSTM<T>>(keras22(6).dropout(0.2).recurrent_dropout(0.2));
        m.template add<Dense<T>>(DenseOptions(10));
        m.template add<Dense<T>>(DenseOptions(2));
        return m;
    }
    if (name == "imdb" || name == "imdb-glove") {
        bool glove = name == "imdb-glove";
        Index vocab = options.vocab_size > 0 ? options.vocab_size : (glove ? 88586 : 20000);
        Sequential<T> m(ShapeSpec::ids(100), options.seed);
        m.template add<Embedding<T>>(EmbeddingOptions(vocab, 100).trainable(!glove));
        m.template add<GRU<T>>(keras22(32).dropout(0.2).recurrent_dropout(0.2));
        m.template add<Dense<T>>(DenseOptions(1).activation(Activation::sigmoid));
        return m;
    }
    if (name == "stocks") {
        StocksModelOptions so;
        if (options.n_tickers > 0) so.n_tickers = options.n_tickers;
        so.lags = options.lags;
        so.seed = options.seed;
        return stocks_model<T>(so);
    }
    std::string known;
    for (const auto& n : book_model_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown book model '" + name + "' (known: " + known + ")");
}

template <typename T>
Model<T> stocks_model(const StocksModelOptions& o) {
    if (o.lstm_units.empty()) throw std::invalid_argument("stocks_model: no LSTM layers");
    // Input names match StockWindows::input_names(); the book's are Returns / Tickers / Months.
    Model<T> m(o.seed);
    NodeRef h = m.input("returns", ShapeSpec::sequence(o.lags, 1));
    NodeRef ticker = m.input("ticker", ShapeSpec::ids(1));
    NodeRef month = m.input("month", ShapeSpec::vector(12));
    for (std::size_t i = 0; i < o.lstm_units.size(); ++i)
        h = m.template add<LSTM<T>>(h, RecurrentOptions(o.lstm_units[i])
                                           .recurrent_activation(o.recurrent_activation)
                                           .reset_after(false)
                                           .dropout(o.dropout)
                                           .return_sequences(i + 1 < o.lstm_units.size()));
    NodeRef e =
        m.template add<Embedding<T>>(ticker, EmbeddingOptions(o.n_tickers, o.embedding_dim));
    e = m.template add<Reshape<T>>(e, std::vector<Index>{o.embedding_dim});
    NodeRef x = m.template add<Concatenate<T>>(std::vector<NodeRef>{h, e, month});
    if (o.dense_units > 0) x = m.template add<Dense<T>>(x, DenseOptions(o.dense_units));
    m.set_outputs({m.template add<Dense<T>>(x, DenseOptions(1).activation(o.output_activation))});
    return m;
}

template Model<float> stocks_model<float>(const StocksModelOptions&);
template Model<double> stocks_model<double>(const StocksModelOptions&);
template Model<float> book_model<float>(const std::string&, const BookModelOptions&);
template Model<double> book_model<double>(const std::string&, const BookModelOptions&);

}  // namespace recur
