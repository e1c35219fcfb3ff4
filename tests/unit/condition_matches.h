// How many of a run's syscall exits, given as strace lines, a condition
// matches: each judged against the state before it, as the engine does.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/rules/condition.h"
#include "engine/state.h"
#include "sources/strace/strace_log.h"

namespace sctrace::rules {

// Feeds strace lines; for each syscall exit event, evaluates `condition`
// against the state before the event, then applies it. Returns how many
// exits matched.
inline int matches(const Condition& condition, const std::vector<std::string>& lines) {
    struct Sink final : EventSink {
        const Condition* condition;
        StateTracker state;
        int hits = 0;
        void on_event(const Event& e) override {
            if (e.kind != EventKind::SyscallEntry) {
                EvalContext ctx{e, state};
                hits += condition->matches(ctx);
            }
            state.apply(e);
        }
    } sink;
    sink.condition = &condition;
    strace_text::StraceLogConverter converter(sink);
    converter.begin_file("t.log", 0, 0);
    for (const auto& l : lines) EXPECT_TRUE(converter.feed(l)) << l;
    converter.finish();
    return sink.hits;
}

}  // namespace sctrace::rules
