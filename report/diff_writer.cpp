#include "report/diff_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "model/finding.h"
#include "report/clock_face.h"

namespace sctrace {

namespace {

std::string side_text(const RunDiff::Side& side) {
    std::string inputs;
    for (const std::string& i : side.inputs) inputs += (inputs.empty() ? "" : ", ") + i;
    return fmt::format("{}{}{} thread{}, {} call{}", inputs, inputs.empty() ? "" : ": ",
                       side.threads, side.threads == 1 ? "" : "s", side.calls,
                       side.calls == 1 ? "" : "s");
}

std::string list(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// "12:03:11.123456 " for a wall-clock time, nothing for a log's line number.
std::string when(Nanos time, ClockFace& clock) {
    return rules::is_wall_clock_time(time) ? clock.with_micros(time) + " " : std::string();
}

// Text from a trace is shown as it is, but never as more lines than one.
std::string one_line(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
    return out;
}

nlohmann::json step_json(const DiffStep& step) {
    nlohmann::json j;
    j["time"] = step.time;
    j["thread"] = step.thread;
    j["call"] = step.call;
    j["outcome"] = step.outcome.empty() ? nlohmann::json(nullptr) : nlohmann::json(step.outcome);
    j["text"] = step.text;
    return j;
}

}  // namespace

std::string diff_text(const RunDiff& diff, std::size_t limit) {
    std::string out;
    const std::size_t n = diff.divergences.size();
    out += fmt::format("sctrace diff: {} between PASS ({}) and FAIL ({}){}\n",
                       n == 0 ? std::string("no divergence")
                              : fmt::format("{} divergence{}", n, n == 1 ? "" : "s"),
                       side_text(diff.pass), side_text(diff.fail),
                       n > 1 ? ", earliest in FAIL first" : "");
    ClockFace clock;
    for (std::size_t k = 0; k < n && k < limit; ++k) {
        const Divergence& d = diff.divergences[k];
        out += fmt::format("\n{}. {}: {}\n", k + 1, one_line(d.subject), one_line(d.summary));
        if (!d.before.empty()) out += fmt::format("     before:  {}\n", one_line(list(d.before)));
        if (d.pass) {
            out += fmt::format("     PASS:    {}{}{}\n", when(d.pass->time, clock),
                               d.subject_kind == DiffSubjectKind::File ? d.pass->thread + " " : "",
                               one_line(d.pass->text));
        }
        if (d.fail) {
            out += fmt::format("     FAIL:    {}{}{}\n", when(d.fail->time, clock),
                               d.subject_kind == DiffSubjectKind::File ? d.fail->thread + " " : "",
                               one_line(d.fail->text));
        }
        if (d.pass && d.fail && (!d.pass_after.empty() || !d.fail_after.empty())) {
            out += fmt::format("     then PASS: {}\n",
                               one_line(d.pass_after.empty() ? "(nothing)" : list(d.pass_after)));
            out += fmt::format("          FAIL: {}\n",
                               one_line(d.fail_after.empty() ? "(nothing)" : list(d.fail_after)));
        }
    }
    if (n > limit)
        out += fmt::format("\n... and {} more divergence(s) (--format json has all)\n", n - limit);
    const std::size_t only = diff.threads_only_in_pass + diff.threads_only_in_fail +
                             diff.files_only_in_pass + diff.files_only_in_fail;
    if (only > 0) {
        out += fmt::format(
            "\nnot compared: {} thread(s) and {} file(s) only in PASS, {} thread(s) and {} "
            "file(s) only in FAIL\n",
            diff.threads_only_in_pass, diff.files_only_in_pass, diff.threads_only_in_fail,
            diff.files_only_in_fail);
    }
    return out;
}

std::string diff_json(const RunDiff& diff) {
    nlohmann::json j;
    const auto side = [](const RunDiff::Side& s) {
        return nlohmann::json{{"inputs", s.inputs}, {"threads", s.threads}, {"calls", s.calls}};
    };
    j["pass"] = side(diff.pass);
    j["fail"] = side(diff.fail);
    j["not_compared"] = {{"threads_only_in_pass", diff.threads_only_in_pass},
                         {"threads_only_in_fail", diff.threads_only_in_fail},
                         {"files_only_in_pass", diff.files_only_in_pass},
                         {"files_only_in_fail", diff.files_only_in_fail}};
    nlohmann::json all = nlohmann::json::array();
    for (const Divergence& d : diff.divergences) {
        nlohmann::json e;
        e["kind"] = divergence_kind_name(d.kind);
        e["subject_kind"] = d.subject_kind == DiffSubjectKind::Thread ? "thread" : "file";
        e["subject"] = d.subject;
        e["summary"] = d.summary;
        e["before"] = d.before;
        e["pass"] = d.pass ? step_json(*d.pass) : nlohmann::json(nullptr);
        e["fail"] = d.fail ? step_json(*d.fail) : nlohmann::json(nullptr);
        e["pass_after"] = d.pass_after;
        e["fail_after"] = d.fail_after;
        all.push_back(std::move(e));
    }
    j["divergences"] = std::move(all);
    // Text from a trace may be any bytes: replaced, never a throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sctrace
