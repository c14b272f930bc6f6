#include "report/report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace recur::report {
namespace {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else
            out += c;
    }
    return out;
}

std::string tick_label(double v) {
    double a = std::fabs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e5)) return fmt::format("{:.2e}", v);
    return fmt::format("{:.4g}", v);
}

constexpr double kW = 860, kH = 300, kLeft = 80, kRight = 160, kTop = 36, kBottom = 50;
const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string panel(const Plot& p, double y0) {
    std::string s;
    std::size_t n = 0;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    auto tr = [&](double v) { return p.log_y ? std::log10(v) : v; };
    for (const Line& l : p.lines) {
        n = std::max(n, l.y.size());
        for (double v : l.y)
            if (std::isfinite(v) && (!p.log_y || v > 0)) {
                lo = std::min(lo, tr(v));
                hi = std::max(hi, tr(v));
            }
    }
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    const double pad = 0.04 * (hi - lo);
    lo -= pad, hi += pad;
    const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
    auto X = [&](std::size_t i) {
        return kLeft + (n > 1 ? pw * static_cast<double>(i) / static_cast<double>(n - 1) : pw / 2);
    };
    auto Y = [&](double v) { return y0 + kTop + ph * (1 - (tr(v) - lo) / (hi - lo)); };

    s += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"15\" text-anchor=\"middle\" "
        "font-weight=\"bold\">{}</text>\n",
        kLeft + pw / 2, y0 + 22, escape(p.title));
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n",
        kLeft, y0 + kTop, pw, ph);
    for (int k = 0; k <= 5; ++k) {  // y ticks and grid
        double tv = lo + (hi - lo) * k / 5.0;
        double yy = y0 + kTop + ph * (1 - k / 5.0);
        double label = p.log_y ? std::pow(10.0, tv) : tv;
        s += fmt::format(
            "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n"
            "<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            kLeft, yy, kLeft + pw, yy, kLeft - 6, yy + 4, tick_label(label));
    }
    if (n > 0) {  // x ticks
        const int ticks = static_cast<int>(std::min<std::size_t>(n, 6));
        for (int k = 0; k < ticks; ++k) {
            std::size_t i = ticks > 1 ? (n - 1) * static_cast<std::size_t>(k) /
                                            static_cast<std::size_t>(ticks - 1)
                                      : 0;
            std::string label = i < p.x_labels.size() ? p.x_labels[i] : std::to_string(i + 1);
            s += fmt::format(
                "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#333\"/>\n"
                "<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                X(i), y0 + kTop + ph, X(i), y0 + kTop + ph + 5, X(i), y0 + kTop + ph + 19,
                escape(label));
        }
    }
    s += fmt::format(
        "<text x=\"18\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\" "
        "transform=\"rotate(-90 18 {:.1f})\">{}</text>\n",
        y0 + kTop + ph / 2, y0 + kTop + ph / 2, escape(p.y_label));
    for (std::size_t li = 0; li < p.lines.size(); ++li) {
        const Line& l = p.lines[li];
        std::string color = l.color.empty() ? kPalette[li % 6] : l.color;
        std::string pts;
        auto flush = [&] {
            if (!pts.empty())
                s += fmt::format(
                    "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n",
                    color, pts);
            pts.clear();
        };
        for (std::size_t i = 0; i < l.y.size(); ++i) {
            if (!std::isfinite(l.y[i]) || (p.log_y && l.y[i] <= 0)) {
                flush();
                continue;
            }
            pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ", X(i), Y(l.y[i]));
        }
        flush();
        double ly = y0 + kTop + 10 + 20.0 * static_cast<double>(li);
        s += fmt::format(
            "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"{}\" "
            "stroke-width=\"2\"/>\n<text x=\"{}\" y=\"{:.1f}\" font-size=\"12\">{}</text>\n",
            kW - kRight + 12, ly, kW - kRight + 36, ly, color, kW - kRight + 42, ly + 4,
            escape(l.name));
    }
    return s;
}

}  // namespace

std::string metrics_json(const Metrics& metrics) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metrics) {
        if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e15)
            j[k] = static_cast<long long>(v);  // counts (params, epochs) print as integers
        else if (std::isfinite(v))
            j[k] = v;
        else
            j[k] = nullptr;
    }
    return j.dump(2) + "\n";
}

std::string svg_plots(const std::vector<Plot>& panels) {
    const double h = kH * static_cast<double>(std::max<std::size_t>(panels.size(), 1));
    std::string s = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
        "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        kW, h, kW, h);
    for (std::size_t i = 0; i < panels.size(); ++i)
        s += panel(panels[i], kH * static_cast<double>(i));
    s += "</svg>\n";
    return s;
}

}  // namespace recur::report

namespace recur::report {

std::string svg_heatmap(const Heatmap& h) {
    const std::size_t rows = h.values.size(), cols = rows ? h.values[0].size() : 0;
    constexpr double kCell = 22, kLeft = 110, kTop = 60, kBottom = 70, kLegend = 70;
    const double width = kLeft + kCell * double(cols) + kLegend;
    const double height = kTop + kCell * double(rows) + kBottom;
    double lo = 0, hi = 0;
    bool first = true;
    for (const auto& r : h.values)
        for (double v : r) {
            if (!std::isfinite(v)) continue;
            lo = first ? v : std::min(lo, v);
            hi = first ? v : std::max(hi, v);
            first = false;
        }
    if (hi <= lo) hi = lo + 1;
    // White (lo) to dark blue (hi).
    auto colour = [&](double v) {
        const double t = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
        const int r = static_cast<int>(255 - t * (255 - 8)),
                  g = static_cast<int>(255 - t * (255 - 48)),
                  b = static_cast<int>(255 - t * (255 - 107));
        return fmt::format("rgb({},{},{})", r, g, b);
    };
    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
        "font-family=\"sans-serif\" font-size=\"11\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"{:.0f}\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
        width, height, width / 2, escape(h.title));
    for (std::size_t i = 0; i < rows; ++i) {
        const double y = kTop + kCell * double(i);
        if (i < h.row_labels.size())
            svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                               kLeft - 6, y + kCell * 0.7, escape(h.row_labels[i]));
        for (std::size_t j = 0; j < cols; ++j)
            svg += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                "<title>{:.4f}</title></rect>\n",
                kLeft + kCell * double(j), y, kCell, kCell, colour(h.values[i][j]), h.values[i][j]);
    }
    for (std::size_t j = 0; j < cols && j < h.col_labels.size(); ++j) {
        const double x = kLeft + kCell * (double(j) + 0.5), y = kTop + kCell * double(rows) + 8;
        svg += fmt::format(
            "<text x=\"{:.1f}\" y=\"{:.1f}\" transform=\"rotate(60 {:.1f} {:.1f})\">{}</text>\n", x,
            y, x, y, escape(h.col_labels[j]));
    }
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>\n",
                       kLeft + kCell * double(cols) / 2, height - 6, escape(h.x_label));
    svg += fmt::format(
        "<text x=\"14\" y=\"{:.0f}\" transform=\"rotate(-90 14 {:.0f})\" "
        "text-anchor=\"middle\">{}</text>\n",
        kTop + kCell * double(rows) / 2, kTop + kCell * double(rows) / 2, escape(h.y_label));
    // Colour scale.
    const double lx = kLeft + kCell * double(cols) + 20;
    for (int k = 0; k < 10; ++k) {
        const double v = hi - (hi - lo) * k / 9.0;
        svg += fmt::format(
            "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"14\" height=\"12\" fill=\"{}\"/>\n", lx,
            kTop + 12.0 * k, colour(v));
    }
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\">{}</text>\n", lx + 18, kTop + 10,
                       tick_label(hi));
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\">{}</text>\n", lx + 18, kTop + 118,
                       tick_label(lo));
    return svg + "</svg>\n";
}

}  // namespace recur::report
