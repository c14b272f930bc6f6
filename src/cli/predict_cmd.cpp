// recur predict — applies a saved model to new data.
//
// Raw series (a date-indexed CSV such as a FRED download, or a data directory): the model's run
// directory must hold the config.toml and scaler.json written by `recur fit` / `reproduce`; the
// data is transformed, scaled and windowed as in training (casestudy::predict_run).
// Otherwise the input is windows: one sample per row, its T*F values flattened time-major within
// the sample (t0f0, t0f1, ..., t1f0, ...); a first row that does not parse as numbers is taken as a
// header. Output CSV: one row per sample with the model's outputs, written with 9 significant
// digits (float round-trips exactly).
//
// --stream: the input is a stream of observations, one time step per row (F values; with
// --series-column NAME a column of series ids, e.g. tickers, each with its own state). Each row is
// fed to a StreamingPredictor (model/streaming.hpp) and answered with the prediction after it:
// the model's recurrent states carry from row to row, as in live use.
#include <fmt/core.h>
#include <fmt/os.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "casestudy/runner.hpp"
#include "cli/commands.hpp"
#include "recur/io/model_io.hpp"
#include "recur/model/streaming.hpp"

namespace recur::cli {
namespace {

Tensor<float> read_rows(const std::string& path, Index per_sample) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<float> values;
    std::string line;
    Index line_no = 0, rows = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        std::stringstream ss(line);
        std::string cell;
        Index col = 0;
        std::vector<float> row;
        bool header = false;
        while (std::getline(ss, cell, ',')) {
            ++col;
            try {
                size_t used = 0;
                float v = std::stof(cell, &used);
                while (used < cell.size() && std::isspace(static_cast<unsigned char>(cell[used])))
                    ++used;
                if (used != cell.size()) throw std::invalid_argument(cell);
                row.push_back(v);
            } catch (const std::exception&) {
                if (rows == 0 && line_no == 1) {
                    header = true;
                    break;
                }
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not a number", path,
                                                     line_no, col, cell));
            }
        }
        if (header) continue;
        if (static_cast<Index>(row.size()) != per_sample)
            throw std::runtime_error(
                fmt::format("{}:{}: {} values, the model expects {} per sample", path, line_no,
                            row.size(), per_sample));
        values.insert(values.end(), row.begin(), row.end());
        ++rows;
    }
    if (rows == 0) throw std::runtime_error(path + ": no samples");
    Tensor<float> x({rows, per_sample});
    std::copy(values.begin(), values.end(), x.data());
    return x;
}

// A directory, or a CSV whose header starts with a date column: raw series, not windows.
bool is_raw_series(const std::string& path) {
    if (std::filesystem::is_directory(path)) return true;
    std::ifstream in(path);
    std::string header;
    std::getline(in, header);
    if (header.size() >= 3 && static_cast<unsigned char>(header[0]) == 0xEF)
        header = header.substr(3);
    for (const char* name : {"DATE,", "observation_date,", "date,"})
        if (header.rfind(name, 0) == 0) return true;
    return false;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
        if (!cell.empty() && cell.back() == '\r') cell.pop_back();
        cells.push_back(cell);
    }
    return cells;
}

// recur predict --stream: one observation per row, one prediction per row.
void predict_stream(const std::string& model_path, const std::string& path,
                    const std::string& output, const std::string& series_column) {
    Model<float> model = load_model<float>(model_path);
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<std::string>> rows;
    std::vector<Index> line_numbers;
    std::string line;
    Index line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        rows.push_back(split_csv_line(line));
        line_numbers.push_back(line_no);
    }
    if (rows.empty()) throw std::runtime_error(path + ": no observations");
    // A header when the first row has a cell that is not a number (always, with a series column).
    // A cell is a number when strtof consumes all of it (underflow to 0 or a denormal counts).
    auto parse = [](const std::string& c, float& v) {
        if (c.empty()) return false;
        char* end = nullptr;
        v = std::strtof(c.c_str(), &end);
        while (end && *end && std::isspace(static_cast<unsigned char>(*end))) ++end;
        return end && *end == '\0';
    };
    auto is_number = [&](const std::string& c) {
        float v;
        return parse(c, v);
    };
    bool header = !series_column.empty();
    for (const auto& c : rows[0]) header = header || !is_number(c);
    Index series_col = -1;
    if (!series_column.empty()) {
        for (size_t k = 0; k < rows[0].size(); ++k)
            if (rows[0][k] == series_column) series_col = static_cast<Index>(k);
        if (series_col < 0)
            throw std::runtime_error(path + ":1: no column named '" + series_column + "'");
    }
    // Series ids in order of first appearance; each gets one state slot.
    std::unordered_map<std::string, Index> ids;
    std::vector<Index> slot(rows.size(), 0);
    for (size_t r = header ? 1 : 0; r < rows.size() && series_col >= 0; ++r) {
        if (static_cast<Index>(rows[r].size()) <= series_col) continue;  // reported below
        const auto [it, added] = ids.try_emplace(rows[r][static_cast<size_t>(series_col)],
                                                 static_cast<Index>(ids.size()));
        slot[r] = it->second;
    }
    StreamingPredictor<float> live(model, std::max<Index>(1, static_cast<Index>(ids.size())));
    const Index features = live.input_size(), want = features + (series_col >= 0 ? 1 : 0);
    std::string text;
    if (header) {
        if (series_col >= 0) text += series_column + ",";
        for (Index k = 0; k < live.output_size(); ++k)
            text += fmt::format("{}y{}", k ? "," : "", k);
        text += '\n';
    }
    std::vector<float> x(static_cast<size_t>(features));
    for (size_t r = header ? 1 : 0; r < rows.size(); ++r) {
        const auto& cells = rows[r];
        if (static_cast<Index>(cells.size()) != want)
            throw std::runtime_error(fmt::format(
                "{}:{}: {} values, expected {} ({} feature(s){})", path, line_numbers[r],
                cells.size(), want, features, series_col >= 0 ? " and the series id" : ""));
        Index f = 0;
        for (size_t k = 0; k < cells.size(); ++k) {
            if (static_cast<Index>(k) == series_col) continue;
            float v = 0;
            if (!parse(cells[k], v))
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not a number", path,
                                                     line_numbers[r], k + 1, cells[k]));
            if (!std::isfinite(v))
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not finite", path,
                                                     line_numbers[r], k + 1, cells[k]));
            x[static_cast<size_t>(f++)] = v;
        }
        const float* y = live.step(slot[r], x.data());
        if (series_col >= 0) text += cells[static_cast<size_t>(series_col)] + ",";
        for (Index k = 0; k < live.output_size(); ++k)
            text += fmt::format("{}{:.9g}", k ? "," : "", y[k]);
        text += '\n';
    }
    if (output == "-")
        fmt::print("{}", text);
    else
        write_file_atomic(output, text);
}

}  // namespace

void add_predict_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("predict", "Apply a saved model to samples in a CSV file");
    auto model_path = std::make_shared<std::string>();
    auto input = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("-");
    cmd->add_option("--model", *model_path, "Model file written by recur (save_model)")->required();
    cmd->add_option("--input,--data", *input, "CSV, one sample per row (flattened T*F values)")
        ->required();
    cmd->add_option("--output,--out", *output, "Output CSV ('-' = stdout)");
    auto stream = std::make_shared<bool>(false);
    auto series_column = std::make_shared<std::string>();
    cmd->add_flag("--stream", *stream,
                  "Input is a stream of observations (one time step per row); states carry "
                  "from row to row and every row gets the prediction after it");
    cmd->add_option("--series-column", *series_column,
                    "With --stream: the column of series ids (e.g. tickers); each series keeps "
                    "its own state");
    cmd->callback([=] {
        if (*stream) {
            predict_stream(*model_path, *input, *output, *series_column);
            return;
        }
        if (!series_column->empty()) throw std::runtime_error("--series-column needs --stream");
        if (is_raw_series(*input)) {
            // A date-indexed CSV (or a data directory): transform, scale and window it as the
            // run that saved the model did (config.toml and scaler.json beside model.recur).
            auto run_dir = std::filesystem::path(*model_path).parent_path();
            if (run_dir.empty()) run_dir = ".";
            if (!std::filesystem::exists(run_dir / "config.toml") ||
                !std::filesystem::exists(run_dir / "scaler.json"))
                throw std::runtime_error(*input + " is a date-indexed series, but " +
                                         run_dir.string() +
                                         " has no config.toml + scaler.json from `recur fit` / "
                                         "`recur reproduce` to transform it with");
            casestudy::predict_run(run_dir.string(), *input, *output);
            return;
        }
        Model<float> model = load_model<float>(*model_path);
        if (model.num_inputs() != 1 || model.num_outputs() != 1) {
            std::string names;
            for (std::size_t k = 0; k < model.num_inputs(); ++k)
                names += (k ? ", " : "") + model.input_name(k);
            throw std::runtime_error(*model_path + " has " + std::to_string(model.num_inputs()) +
                                     " inputs (" + names + ") and " +
                                     std::to_string(model.num_outputs()) +
                                     " outputs; recur predict reads one input from a CSV. Use "
                                     "Model::predict with a recur::Dataset from C++.");
        }
        const ShapeSpec& in = model.input_spec();
        Index per = in.kind == ShapeSpec::Kind::vector ? in.features : in.steps * in.features;
        Tensor<float> flat = read_rows(*input, per);
        std::vector<Index> shape{flat.dim(0)};
        if (in.kind == ShapeSpec::Kind::vector)
            shape.push_back(in.features);
        else if (in.kind == ShapeSpec::Kind::ids)
            shape.push_back(in.steps);
        else
            shape.insert(shape.end(), {in.steps, in.features});
        Tensor<float> x(shape);
        std::copy(flat.data(), flat.data() + flat.size(), x.data());
        Tensor<float> y = model.predict(x);
        Index per_out = y.size() / y.dim(0);
        std::string text;
        for (Index i = 0; i < y.dim(0); ++i) {
            for (Index k = 0; k < per_out; ++k)
                text += fmt::format("{}{:.9g}", k ? "," : "", y[i * per_out + k]);
            text += '\n';
        }
        if (*output == "-")
            fmt::print("{}", text);
        else
            write_file_atomic(*output, text);
    });
}

}  // namespace recur::cli
