// libFuzzer target: arbitrary bytes as sctrace's own JSONL event log, line by
// line, through the reader and on into the three stream writers, which keep
// a blocked call's entry across other threads' events. Any crash, hang,
// sanitizer report or runaway memory is a bug: event logs are untrusted
// input (attached to bug reports, downloaded from CI).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "report/event_writer.h"
#include "sources/jsonl/jsonl_events.h"

namespace {

struct Fanout final : sctrace::EventSink {
    sctrace::EventSink* sinks[3];
    void on_event(const sctrace::Event& e) override {
        for (auto* s : sinks) s->on_event(e);
    }
    void on_end() override {
        for (auto* s : sinks) s->on_end();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The writers' output is not the point; their reads of the events are.
    sctrace::UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    sctrace::TextWriter text(null.get(), sctrace::SyscallSet::all());
    sctrace::StraceWriter strace(null.get(), sctrace::SyscallSet::all());
    sctrace::JsonlWriter jsonl(null.get(), sctrace::SyscallSet::all());
    Fanout fanout;
    fanout.sinks[0] = &text;
    fanout.sinks[1] = &strace;
    fanout.sinks[2] = &jsonl;
    sctrace::jsonl::JsonlEventReader reader(fanout);
    std::string error;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
        const auto nl = input.find('\n');
        reader.feed(input.substr(0, nl), &error);
        if (nl == std::string_view::npos) break;
        input.remove_prefix(nl + 1);
    }
    fanout.on_end();
    return 0;
}
