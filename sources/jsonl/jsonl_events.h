// sctrace's own JSONL event log (the -o FILE --format jsonl stream,
// docs/events.md) read back into Events: the second post-mortem source,
// beside strace's text (sources/strace/).
//
// The log is untrusted input. Every field is checked for presence, type and
// range before it is used; a line with a missing, mistyped or unknown value
// is rejected whole (feed() returns false with the reason) and nothing of it
// reaches the sink.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/event.h"

namespace sctrace {

class ArgTree;

namespace jsonl {

// Whether a log's first line is JSON rather than strace text.
bool looks_like_jsonl(std::string_view first_line);

class JsonlEventReader {
public:
    explicit JsonlEventReader(EventSink& sink);
    ~JsonlEventReader();
    JsonlEventReader(const JsonlEventReader&) = delete;
    JsonlEventReader& operator=(const JsonlEventReader&) = delete;

    // One line (without its newline). A blank line is accepted and ignored.
    // False, with *error saying which field is wrong and how, for a line
    // that is not one of our events; it emits nothing.
    bool feed(std::string_view line, std::string* error);

private:
    struct Line;  // the storage one event's views point into
    bool convert(const nlohmann::json& j, std::string* error);

    EventSink& sink_;
    std::unique_ptr<Line> line_;
    // Threads whose entry record was read and whose exit was not yet: what
    // their entry decoded, so that the exit's tree says where its entry
    // half ends (ArgTree::entry_arg_count), as the live decoder's does.
    struct Entered {
        std::uint16_t arg_count = 0;
        bool complete = false;
    };
    std::unordered_map<pid_t, Entered> entered_;
};

}  // namespace jsonl
}  // namespace sctrace
