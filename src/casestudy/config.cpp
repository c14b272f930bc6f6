// casestudy/config.cpp — TOML case-study configs (toml++, used header-only here so that the
// static librecur needs nothing from libtomlplusplus at link time).
#include "casestudy/config.hpp"

#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace recur::casestudy {
namespace {

std::string type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "a date/time";
    }
}

class Reader {
  public:
    Reader(const toml::table& t, std::string file, std::string prefix)
        : t_(t), file_(std::move(file)), prefix_(std::move(prefix)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& expected,
                           const toml::node* got) const {
        std::string msg = file_ + ": key '" + full(key) + "': expected " + expected;
        msg += got ? ", got " + type_name(*got) : " (missing)";
        throw ConfigError(msg);
    }
    std::string full(const std::string& key) const {
        return prefix_.empty() ? key : prefix_ + "." + key;
    }
    const toml::node* node(const std::string& key) const { return t_.get(key); }
    bool has(const std::string& key) const { return node(key) != nullptr; }

    std::string str(const std::string& key, const std::string& def, bool required = false) const {
        const toml::node* n = node(key);
        if (!n) {
            if (required) fail(key, "a string", nullptr);
            return def;
        }
        if (!n->is_string()) fail(key, "a string", n);
        return *n->value<std::string>();
    }
    std::string choice(const std::string& key, const std::string& def,
                       const std::vector<std::string>& allowed) const {
        std::string v = str(key, def);
        for (const auto& a : allowed)
            if (v == a) return v;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "\"" : " | \"") + a + "\"";
        throw ConfigError(file_ + ": key '" + full(key) + "': expected one of " + list +
                          ", got \"" + v + "\"");
    }
    long integer(const std::string& key, long def, bool required = false, long min = 0) const {
        const toml::node* n = node(key);
        if (!n) {
            if (required) fail(key, "an integer", nullptr);
            return def;
        }
        if (!n->is_integer()) fail(key, "an integer", n);
        long v = static_cast<long>(*n->value<int64_t>());
        if (v < min)
            throw ConfigError(file_ + ": key '" + full(key) + "': expected an integer >= " +
                              std::to_string(min) + ", got " + std::to_string(v));
        return v;
    }
    double number(const std::string& key, double def) const {
        const toml::node* n = node(key);
        if (!n) return def;
        if (!n->is_number()) fail(key, "a number", n);
        return *n->value<double>();
    }
    bool boolean(const std::string& key, bool def) const {
        const toml::node* n = node(key);
        if (!n) return def;
        if (!n->is_boolean()) fail(key, "a boolean", n);
        return *n->value<bool>();
    }
    Reader table(const std::string& key, bool required = false) const {
        static const toml::table empty;
        const toml::node* n = node(key);
        if (!n) {
            if (required) fail(key, "a table", nullptr);
            return Reader(empty, file_, full(key));
        }
        if (!n->is_table()) fail(key, "a table", n);
        return Reader(*n->as_table(), file_, full(key));
    }
    std::vector<Reader> tables(const std::string& key) const {
        const toml::node* n = node(key);
        if (!n) fail(key, "an array of tables ([[" + full(key) + "]])", nullptr);
        if (!n->is_array_of_tables()) fail(key, "an array of tables", n);
        std::vector<Reader> out;
        const toml::array& a = *n->as_array();
        for (std::size_t i = 0; i < a.size(); ++i)
            out.emplace_back(*a[i].as_table(), file_, full(key) + "[" + std::to_string(i) + "]");
        return out;
    }
    std::vector<std::string> strings(const std::string& key) const {
        const toml::node* n = node(key);
        std::vector<std::string> out;
        if (!n) return out;
        if (!n->is_array()) fail(key, "an array of strings", n);
        const toml::array& a = *n->as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string()) fail(key + "[" + std::to_string(i) + "]", "a string", &a[i]);
            out.push_back(*a[i].value<std::string>());
        }
        return out;
    }
    // Rejects keys that are not in `known` (typos must not be silently ignored).
    void only(const std::set<std::string>& known) const {
        for (const auto& [k, v] : t_) {
            std::string key(k.str());
            if (!known.count(key))
                throw ConfigError(file_ + ": key '" + full(key) + "': unknown key");
        }
    }
    const toml::table& raw() const { return t_; }
    const std::string& file() const { return file_; }

  private:
    const toml::table& t_;
    std::string file_;
    std::string prefix_;
};

void check_date(const Reader& r, const std::string& key, const std::string& v) {
    bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-';
    for (std::size_t i = 0; ok && i < v.size(); ++i)
        if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(v[i]))) ok = false;
    if (!ok)
        throw ConfigError(r.file() + ": key '" + r.full(key) +
                          "': expected a date \"YYYY-MM-DD\", got \"" + v + "\"");
}

void parse_series(const Reader& r, CaseConfig& c);
void parse_panel(const Reader& r, CaseConfig& c);
void parse_multistep(const Reader& model, CaseConfig& c);
void parse_walk_forward(const Reader& r, CaseConfig& c);
void parse_text(const Reader& r, CaseConfig& c);
void parse_training(const Reader& r, CaseConfig& c);

}  // namespace

bool supports_walk_forward(const std::string& report) {
    return report == "levels" || report == "changes" || report == "multistep";
}

CaseConfig parse_config(const std::string& text, const std::string& path) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
           << e.description();
        throw ConfigError(os.str());
    }
    Reader r(root, path, "");
    r.only({"name", "report", "seed", "data", "scaling", "windows", "text", "model", "training",
            "reference", "baselines", "walk_forward"});
    CaseConfig c;
    c.path = path;
    c.name = r.str("name", "case");
    c.report =
        r.choice("report", "levels", {"levels", "changes", "classification", "text", "multistep"});
    c.seed = static_cast<std::uint64_t>(r.integer("seed", 42));
    const bool panel = c.report == "classification";
    if (panel) {
        parse_panel(r, c);
    } else if (c.report == "text") {
        parse_text(r, c);
    } else {
        parse_series(r, c);
    }
    if (supports_walk_forward(c.report))
        parse_walk_forward(r, c);
    else if (r.has("walk_forward"))
        throw ConfigError(path +
                          ": key 'walk_forward': only time-series configs (report = \"levels\", "
                          "\"changes\" or \"multistep\") refit per origin (got report = \"" +
                          c.report + "\")");
    parse_training(r, c);
    Reader ref = r.table("reference");
    for (const auto& [k, v] : ref.raw()) {
        std::string key(k.str());
        if (!v.is_number()) ref.fail(key, "a number", &v);
        c.reference.emplace_back(key, *v.value<double>());
    }
    return c;
}

namespace {

void parse_series(const Reader& r, CaseConfig& c) {
    const std::string& path = c.path;

    Reader data = r.table("data", true);
    data.only({"start", "end", "series"});
    c.start = data.str("start", "");
    c.end = data.str("end", "");
    if (!c.start.empty()) check_date(data, "start", c.start);
    if (!c.end.empty()) check_date(data, "end", c.end);
    for (const Reader& s : data.tables("series")) {
        s.only({"name", "file", "column", "transforms"});
        SeriesSpec spec;
        spec.file = s.str("file", "", true);
        spec.column = s.str("column", "");
        spec.name = s.str("name", spec.column.empty() ? spec.file : spec.column);
        spec.transforms = s.strings("transforms");
        for (std::size_t i = 0; i < spec.transforms.size(); ++i) {
            const std::string& t = spec.transforms[i];
            bool ok =
                t == "log" || t == "diff" || t == "pct_change" ||
                ((t.rfind("diff(", 0) == 0 || t.rfind("pct_change(", 0) == 0) && t.back() == ')');
            if (!ok)
                throw ConfigError(
                    path + ": key '" + s.full("transforms") + "[" + std::to_string(i) +
                    "]': expected \"log\", \"diff(N)\" or \"pct_change(N)\", got \"" + t + "\"");
        }
        c.series.push_back(std::move(spec));
    }
    if (c.series.empty())
        throw ConfigError(path + ": key 'data.series': expected at least one [[data.series]]");
    if (c.report == "levels" && c.series.size() != 1)
        throw ConfigError(path + ": key 'report': \"levels\" expects exactly one series, got " +
                          std::to_string(c.series.size()));

    Reader scaling = r.table("scaling");
    scaling.only({"method", "fit_on"});
    c.scaling = scaling.choice("method", "none", {"none", "minmax"});
    c.fit_on = scaling.choice("fit_on", "all", {"all", "train"});

    Reader win = r.table("windows", true);
    win.only({"window", "test_start"});
    c.window = win.integer("window", 1, true, 1);
    c.test_start = win.str("test_start", "", true);
    check_date(win, "test_start", c.test_start);

    Reader model = r.table("model", true);
    if (c.report == "multistep") {
        parse_multistep(model, c);
    } else {
        model.only({"layers"});
        for (const Reader& l : model.tables("layers")) {
            l.only({"type", "units", "return_sequences", "dropout", "recurrent_dropout",
                    "activation", "recurrent_activation"});
            LayerSpec spec;
            spec.type = l.choice("type", "", {"LSTM", "GRU", "SimpleRNN", "Dense"});
            spec.units = l.integer("units", 1, true, 1);
            spec.return_sequences = l.boolean("return_sequences", false);
            spec.dropout = l.number("dropout", 0.0);
            spec.recurrent_dropout = l.number("recurrent_dropout", 0.0);
            spec.activation = l.str("activation", "");
            spec.recurrent_activation = l.str("recurrent_activation", "");
            c.layers.push_back(spec);
        }
        if (c.layers.empty())
            throw ConfigError(path +
                              ": key 'model.layers': expected at least one [[model.layers]]");
    }

    Reader baselines = r.table("baselines");
    baselines.only({"var"});
    Reader var = baselines.table("var");
    var.only({"maxlags", "ic"});
    c.var_maxlags = var.integer("maxlags", 0, false, 0);
    c.var_ic = var.choice("ic", "aic", {"aic", "bic", "hqic", "fpe"});
}

void parse_multistep(const Reader& model, CaseConfig& c) {
    MultistepSpec& m = c.multistep;
    model.only(
        {"horizon", "units", "attention", "score", "residual", "scheduled_sampling", "validation"});
    m.horizon = model.integer("horizon", 12, false, 1);
    m.units = model.integer("units", 32, false, 1);
    m.attention = model.boolean("attention", true);
    m.residual = model.boolean("residual", true);
    m.score = model.choice("score", "general", {"dot", "general", "additive"});
    m.sampling = model.number("scheduled_sampling", 0.25);
    m.validation = model.number("validation", 0.15);
    if (m.sampling < 0 || m.sampling > 1)
        throw ConfigError(c.path +
                          ": key 'model.scheduled_sampling': expected a probability in "
                          "[0, 1], got " +
                          std::to_string(m.sampling));
    if (m.validation <= 0 || m.validation >= 1)
        throw ConfigError(c.path + ": key 'model.validation': expected a share in (0, 1), got " +
                          std::to_string(m.validation));
}

void parse_walk_forward(const Reader& r, CaseConfig& c) {
    WalkForwardSpec& w = c.walk_forward;
    Reader wf = r.table("walk_forward");
    wf.only({"folds", "window", "train_rows", "gap", "validation"});
    w.folds = wf.integer("folds", 0, false, 0);
    w.window = wf.choice("window", "expanding", {"expanding", "rolling"});
    w.train_rows = wf.integer("train_rows", 0, false, 0);
    w.gap = wf.integer("gap", 0, false, 0);
    if (c.report == "multistep" && wf.has("validation"))
        throw ConfigError(c.path +
                          ": key 'walk_forward.validation': multistep configs validate on "
                          "[model] validation");
    w.validation = wf.number("validation", 0.1);
    if (w.validation <= 0 || w.validation >= 1)
        throw ConfigError(c.path +
                          ": key 'walk_forward.validation': expected a share in (0, 1), got " +
                          std::to_string(w.validation));
    if (w.window == "rolling" && w.train_rows == 0)
        throw ConfigError(c.path +
                          ": key 'walk_forward.train_rows': expected the rolling window's "
                          "length in rows (> 0) with window = \"rolling\"");
}

void parse_panel(const Reader& r, CaseConfig& c) {
    PanelSpec& p = c.panel;
    Reader data = r.table("data", true);
    data.only({"panel", "start", "end"});
    p.file = data.str("panel", "", true);
    c.start = data.str("start", "2008-01-01");
    c.end = data.str("end", "2017-12-31");
    check_date(data, "start", c.start);
    check_date(data, "end", c.end);

    Reader win = r.table("windows", true);
    win.only({"lags", "order", "test_start", "test_weeks", "winsorize", "winsorize_fit",
              "clip_last_lag"});
    p.lags = win.integer("lags", 52, false, 1);
    p.most_recent_first = win.choice("order", "most_recent_first",
                                     {"most_recent_first", "chronological"}) == "most_recent_first";
    p.test_start = win.str("test_start", "");
    if (!p.test_start.empty()) check_date(win, "test_start", p.test_start);
    p.test_weeks = win.integer("test_weeks", 52, false, 1);
    if (const toml::node* w = win.node("winsorize")) {
        if (w->is_boolean()) {
            p.winsorize = *w->value<bool>();
        } else if (w->is_array() && w->as_array()->size() == 2 && (*w->as_array())[0].is_number() &&
                   (*w->as_array())[1].is_number()) {
            p.winsor_lower = *(*w->as_array())[0].value<double>();
            p.winsor_upper = *(*w->as_array())[1].value<double>();
            if (!(0 <= p.winsor_lower && p.winsor_lower < p.winsor_upper && p.winsor_upper <= 1))
                throw ConfigError(c.path +
                                  ": key 'windows.winsorize': expected 0 <= lower < "
                                  "upper <= 1");
        } else {
            win.fail("winsorize", "[lower, upper] quantiles or a boolean", w);
        }
    }
    p.winsorize_fit = win.choice("winsorize_fit", "all", {"all", "train"});
    p.clip_last_lag = win.boolean("clip_last_lag", false);

    Reader model = r.table("model", true);
    model.only({"lstm_units", "dropout", "embedding_dim", "dense_units", "recurrent_activation",
                "output_activation"});
    if (const toml::node* u = model.node("lstm_units")) {
        if (!u->is_array() || u->as_array()->empty())
            model.fail("lstm_units", "a non-empty array of integers", u);
        p.lstm_units.clear();
        for (const auto& v : *u->as_array()) {
            if (!v.is_integer() || *v.value<int64_t>() < 1)
                model.fail("lstm_units", "a non-empty array of integers >= 1", &v);
            p.lstm_units.push_back(static_cast<long>(*v.value<int64_t>()));
        }
    }
    p.dropout = model.number("dropout", 0.2);
    p.embedding_dim = model.integer("embedding_dim", 10, false, 1);
    p.dense_units = model.integer("dense_units", 10, false, 0);
    p.recurrent_activation =
        model.choice("recurrent_activation", "hard_sigmoid", {"hard_sigmoid", "sigmoid"});
    p.output_activation = model.choice("output_activation", "sigmoid", {"sigmoid", "linear"});
}

void parse_text(const Reader& r, CaseConfig& c) {
    TextSpec& t = c.text;
    Reader data = r.table("data", true);
    data.only({"dataset", "split_seed"});
    data.choice("dataset", "imdb", {"imdb"});
    t.split_seed = data.integer("split_seed", 42);
    Reader text = r.table("text", true);
    text.only({"pipeline", "num_words", "maxlen", "padding", "truncating"});
    t.pipeline = text.choice("pipeline", "imdb_ids", {"imdb_ids", "tokenizer"});
    t.num_words = text.integer("num_words", 20000, false, 0);
    t.maxlen = text.integer("maxlen", 100, false, 1);
    t.padding = text.choice("padding", "pre", {"pre", "post"});
    t.truncating = text.choice("truncating", "pre", {"pre", "post"});
    Reader model = r.table("model", true);
    model.only({"embedding", "sparse_embedding", "embedding_dim", "gru_units", "dropout",
                "recurrent_dropout", "reset_after", "recurrent_activation"});
    t.embedding = model.choice("embedding", "learned", {"learned", "glove"});
    t.sparse_embedding = model.boolean("sparse_embedding", true);
    t.embedding_dim = model.integer("embedding_dim", 100, false, 1);
    t.gru_units = model.integer("gru_units", 32, false, 1);
    t.dropout = model.number("dropout", 0.2);
    t.recurrent_dropout = model.number("recurrent_dropout", 0.2);
    t.reset_after = model.boolean("reset_after", false);
    t.recurrent_activation =
        model.choice("recurrent_activation", "hard_sigmoid", {"hard_sigmoid", "sigmoid"});
}

void parse_training(const Reader& r, CaseConfig& c) {
    const bool panel = c.report == "classification" || c.report == "text";
    Reader tr = r.table("training", true);
    tr.only({"loss", "batch_size", "epochs", "shuffle", "optimizer", "early_stopping"});
    c.loss = panel ? tr.choice("loss", "binary_crossentropy", {"binary_crossentropy"})
                   : tr.choice("loss", "mse", {"mse", "mae"});
    c.batch_size = tr.integer("batch_size", 32, false, 1);
    c.epochs = static_cast<int>(tr.integer("epochs", 1, true, 1));
    c.shuffle = tr.boolean("shuffle", true);
    Reader opt = tr.table("optimizer");
    opt.only({"name", "learning_rate", "rho", "epsilon"});
    c.optimizer.name = opt.choice("name", "rmsprop", {"rmsprop", "adam", "sgd"});
    c.optimizer.learning_rate = opt.number("learning_rate", -1);
    c.optimizer.rho = opt.number("rho", 0.9);
    c.optimizer.epsilon = opt.number("epsilon", 1e-7);
    if (tr.has("early_stopping")) {
        Reader es = tr.table("early_stopping");
        es.only({"monitor", "mode", "patience", "restore_best_weights", "min_delta"});
        c.early_stopping = true;
        c.early.monitor = panel ? es.choice("monitor", "val_loss", {"val_loss", "loss", "val_auc"})
                                : es.choice("monitor", "val_loss", {"val_loss", "loss"});
        c.early.mode = es.choice("mode", "auto", {"auto", "min", "max"});
        c.early.patience = static_cast<int>(es.integer("patience", 0));
        c.early.restore_best_weights = es.boolean("restore_best_weights", false);
        c.early.min_delta = es.number("min_delta", 0.0);
    }
}

}  // namespace

CaseConfig load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open the config file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

}  // namespace recur::casestudy
