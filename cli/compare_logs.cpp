#include "cli/compare_logs.h"

#include <cstdio>

#include "engine/diff/run_comparer.h"
#include "report/findings_writer.h"
#include "sources/logs/saved_logs.h"

namespace sctrace {

namespace {

// Lines that could not be read are said with their place; nothing else.
class DiffObserver final : public logs::ReadObserver {
public:
    explicit DiffObserver(const char* program) : program_(program) {}
    bool due() override { return false; }
    void show(std::size_t, std::size_t) override {}
    void problem(const strace_text::LogProblem& p) override {
        std::fprintf(stderr, "%s: %s:%zu: %s\n", program_, p.file.c_str(), p.line,
                     p.message.c_str());
    }
    void end_of_input() override {}

private:
    const char* program_;
};

std::optional<diff::RunModel> read_run(const std::string& name, const char* program) {
    diff::RunRecorder recorder(describe_event);
    DiffObserver observer(program);
    try {
        logs::SavedLogs logs({name});
        const std::size_t unparsed = logs.read(recorder, observer);
        if (unparsed > 0) {
            std::fprintf(stderr, "%s: %s: %zu line(s) could not be parsed and were skipped\n",
                         program, name.c_str(), unparsed);
        }
    } catch (const logs::UnusableInput& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return std::nullopt;
    }
    diff::RunModel model = recorder.take();
    model.inputs = {name};
    return model;
}

}  // namespace

std::optional<RunDiff> compare_logs(const std::string& pass, const std::string& fail,
                                    const char* program) {
    const auto pass_run = read_run(pass, program);
    if (!pass_run) return std::nullopt;
    const auto fail_run = read_run(fail, program);
    if (!fail_run) return std::nullopt;
    return diff::compare_runs(*pass_run, *fail_run);
}

}  // namespace sctrace
