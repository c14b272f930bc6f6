// report/report.hpp — the files a case study writes: metrics JSON, and SVG line plots drawn by
// hand (no plotting library): axes with tick labels, one polyline per series, a legend.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace recur::report {

using Metrics = std::vector<std::pair<std::string, double>>;  // in output order

// {"key": number, ...} with 2-space indent; a NaN or infinity is written as null.
std::string metrics_json(const Metrics& metrics);

struct Line {
    std::string name;
    std::vector<double> y;  // NaN points are skipped (the line is broken there)
    std::string color;      // any SVG colour; empty: a default palette
};

struct Plot {
    std::string title;
    std::string y_label;
    std::vector<std::string> x_labels;  // one per point (dates, epochs); empty: 1, 2, ...
    std::vector<Line> lines;
    bool log_y = false;
};

// One or more panels stacked vertically, each 860 x 300 px.
std::string svg_plots(const std::vector<Plot>& panels);

// A matrix as coloured cells (white = smallest, dark blue = largest), with row and column labels
// and a colour scale; each cell's value is in its SVG <title> (shown on hover).
struct Heatmap {
    std::string title, x_label, y_label;
    std::vector<std::string> row_labels, col_labels;
    std::vector<std::vector<double>> values;  // values[row][col]
};
std::string svg_heatmap(const Heatmap& heatmap);

}  // namespace recur::report
