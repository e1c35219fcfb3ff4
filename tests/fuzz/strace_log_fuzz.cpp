// libFuzzer target: arbitrary bytes as a saved strace log, line by line,
// through the parser and the converter that pairs calls across threads. Any
// crash, hang, sanitizer report or runaway memory is a bug: logs are
// untrusted input (bug reports, CI artifacts).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/strace/strace_log.h"

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
    while (!input.empty()) {
        const auto nl = input.find('\n');
        converter.feed(input.substr(0, nl));
        if (nl == std::string_view::npos) break;
        input.remove_prefix(nl + 1);
    }
    converter.finish();
    return 0;
}
