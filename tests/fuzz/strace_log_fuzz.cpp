// libFuzzer target: arbitrary bytes as a saved strace log, line by line,
// through the parser and the converter that pairs calls across threads
// (and, when the first line is one, as sctrace's text log through its
// dialect's translation, as analyze reads it). Any
// crash, hang, sanitizer report or runaway memory is a bug: logs are
// untrusted input (bug reports, CI artifacts).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sources/strace/strace_log.h"
#include "sources/strace/text_dialect.h"

namespace {

struct CountingSink final : sctrace::EventSink {
    std::size_t events = 0;
    void on_event(const sctrace::Event& e) override {
        // Touch what writers touch, so views into freed memory would show.
        if (const auto* s = e.syscall()) events += s->name.size();
        ++events;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CountingSink sink;
    sctrace::strace_text::StraceLogConverter converter(sink);
    converter.begin_file("fuzz.log", 0, 0);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const bool text =
        sctrace::strace_text::looks_like_sctrace_text(input.substr(0, input.find('\n')));
    sctrace::strace_text::TextLine line;
    std::string error;
    while (!input.empty()) {
        const auto nl = input.find('\n');
        const std::string_view raw = input.substr(0, nl);
        if (!text) {
            converter.feed(raw);
        } else if (!sctrace::strace_text::translate_text_line(raw, line, &error)) {
            converter.skip_line(error);
        } else if (line.kind == sctrace::strace_text::TextLine::Kind::Strace) {
            converter.note_thread(line.tid, line.pid);
            converter.feed(line.strace_line);
        } else {
            if (line.kind == sctrace::strace_text::TextLine::Kind::Task) {
                converter.note_thread(line.new_tid, line.new_pid);
            }
            converter.count_line();
        }
        if (nl == std::string_view::npos) break;
        input.remove_prefix(nl + 1);
    }
    converter.finish();
    return 0;
}
