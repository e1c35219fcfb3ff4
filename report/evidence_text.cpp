#include "report/evidence_text.h"

#include <span>

#include <fmt/format.h>

#include "base/clock.h"

namespace sctrace {

namespace {

using Kind = rules::EvidenceItem::Kind;

// A log without times has none to give.
std::string time_text(Nanos t) {
    return t == 0 ? "an unknown time" : format_clock_time(t);
}

// The JSON fields of the items, by what each kind uses.
enum class Field : std::uint8_t {
    Label,
    EndedBy,
    Tid,
    Fd,
    Time,
    Until,
    Duration,
    Count,
    Text,
    Call,
    Window,
    SameFile,
    File,
    Ring,
    UserData,
    Opcode,
    NeverCompleted
};

// A kind's JSON name and the fields it uses.
struct KindFields {
    std::string_view name;
    std::span<const Field> fields;
};

KindFields fields_of(Kind kind) {
    using enum Field;
    static constexpr Field kEvent[] = {Tid, Time, Text};
    static constexpr Field kStep[] = {Label, Tid, Time, Text};
    static constexpr Field kHeldSince[] = {Time, Duration};
    static constexpr Field kCount[] = {Count, Time, Until, Window};
    static constexpr Field kMissing[] = {Text, EndedBy, Window};
    static constexpr Field kOtherThread[] = {Tid, Call, Fd, Time, SameFile, File};
    static constexpr Field kMoreThreads[] = {Count, Fd};
    static constexpr Field kEarlier[] = {Fd, Tid, Text};
    static constexpr Field kRingOp[] = {Call, Fd,   SameFile, File,   Tid,
                                        Time, Ring, UserData, Opcode, NeverCompleted};
    switch (kind) {
        case Kind::Event:
            return {"event", kEvent};
        case Kind::Step:
            return {"step", kStep};
        case Kind::HeldSince:
            return {"held_since", kHeldSince};
        case Kind::Count:
            return {"count", kCount};
        case Kind::Missing:
            return {"missing", kMissing};
        case Kind::OtherThread:
            return {"other_thread", kOtherThread};
        case Kind::MoreThreads:
            return {"more_threads", kMoreThreads};
        case Kind::Earlier:
            return {"earlier", kEarlier};
        case Kind::RingOp:
            return {"ring_op", kRingOp};
    }
    return {"event", kEvent};
}

std::string other_thread_line(const rules::EvidenceItem& o, Nanos now) {
    std::string line = fmt::format("other thread: tid {} {}({}) ", o.tid, o.text, o.fd);
    if (rules::is_wall_clock_time(o.time) && rules::is_wall_clock_time(now)) {
        line += fmt::format("in progress since {} ({:.3f}s before)", format_clock_time(o.time),
                            static_cast<double>(now - o.time) / 1e9);
    } else {
        line += "in progress since an unknown time";
    }
    if (o.same_file) {
        line += ", on this file";
        if (!o.file.empty()) line += " (" + o.file + ")";
    } else {
        line += fmt::format(", on an earlier file that had fd {} (not this one)", o.fd);
    }
    return line;
}

std::string ring_op_line(const rules::EvidenceItem& o, Nanos now) {
    std::string line =
        fmt::format("io_uring: {}({}) submitted to ring fd {} (user_data {:#x}, {}) by tid {} ",
                    o.text, o.fd, o.ring_fd, o.user_data, o.label, o.tid);
    if (rules::is_wall_clock_time(o.time) && rules::is_wall_clock_time(now)) {
        line += fmt::format("at {} ({:.3f}s before)", format_clock_time(o.time),
                            static_cast<double>(now - o.time) / 1e9);
    } else {
        line += "at an unknown time";
    }
    line += o.never_completed ? ", never completed" : ", not completed";
    if (o.same_file) {
        line += ", on this file";
        if (!o.file.empty()) line += " (" + o.file + ")";
    } else if (!o.file.empty()) {
        line += ", on " + o.file;
    }
    return line;
}

std::string missing_line(const rules::EvidenceItem& m) {
    std::string line = "missing: " + m.text + ", ";
    if (m.label == "process exit") return line + "and none before the process exited";
    if (m.label == "trace end") return line + "and none before the trace ended";
    return line + "and none within " + m.window;
}

std::string item_line(const rules::EvidenceItem& item, Nanos now) {
    switch (item.kind) {
        case Kind::Event:
            return item.text;
        case Kind::Step:
            return fmt::format("{} at {} tid {}: {}", item.label, time_text(item.time), item.tid,
                               item.text);
        case Kind::HeldSince:
            return fmt::format("held since {} ({} ms)", time_text(item.time),
                               item.duration / 1'000'000);
        case Kind::Count:
            return fmt::format("{} matches from {} to {} (within {})", item.count,
                               time_text(item.time), time_text(item.until), item.window);
        case Kind::Missing:
            return missing_line(item);
        case Kind::OtherThread:
            return other_thread_line(item, now);
        case Kind::MoreThreads:
            return fmt::format("… and {} more threads in calls on fd {}", item.count, item.fd);
        case Kind::Earlier:
            // A direct descriptor has no fd: its label names it.
            if (!item.label.empty()) {
                return fmt::format("{} earlier: tid {} {}", item.label, item.tid, item.text);
            }
            return fmt::format("fd {} earlier: tid {} {}", item.fd, item.tid, item.text);
        case Kind::RingOp:
            return ring_op_line(item, now);
    }
    return item.text;
}

}  // namespace

std::vector<std::string> evidence_lines(const rules::Finding& finding) {
    std::vector<std::string> lines;
    lines.reserve(finding.evidence.size());
    for (const rules::EvidenceItem& item : finding.evidence) {
        lines.push_back(item_line(item, finding.time));
        if (item.repeated) lines.push_back(fmt::format("… and {} more like it", item.repeated));
    }
    return lines;
}

void visit_evidence_fields(const rules::EvidenceItem& item, EvidenceFieldVisitor& v) {
    const KindFields kind = fields_of(item.kind);
    v.field("kind", kind.name);
    for (const Field field : kind.fields) {
        switch (field) {
            case Field::Label:
                v.field("label", item.label);
                break;
            case Field::EndedBy:
                v.field("ended_by", item.label);
                break;
            case Field::Tid:
                v.field("tid", static_cast<std::int64_t>(item.tid));
                break;
            case Field::Fd:
                v.field("fd", static_cast<std::int64_t>(item.fd));
                break;
            case Field::Time:
                v.field("time", static_cast<std::int64_t>(item.time));
                break;
            case Field::Until:
                v.field("until", static_cast<std::int64_t>(item.until));
                break;
            case Field::Duration:
                v.field("duration", static_cast<std::int64_t>(item.duration));
                break;
            case Field::Count:
                v.field("count", static_cast<std::int64_t>(item.count));
                break;
            case Field::Text:
                v.field("text", item.text);
                break;
            case Field::Call:
                v.field("call", item.text);
                break;
            case Field::Window:
                v.field("window", item.window);
                break;
            case Field::SameFile:
                v.field("same_file", item.same_file);
                break;
            case Field::File:
                v.field("file", item.file);
                break;
            case Field::Ring:
                v.field("ring_fd", static_cast<std::int64_t>(item.ring_fd));
                break;
            case Field::UserData:
                // As the evidence line and strace write it: the whole 64 bits.
                v.field("user_data", fmt::format("{:#x}", item.user_data));
                break;
            case Field::Opcode:
                v.field("opcode", item.label);
                break;
            case Field::NeverCompleted:
                v.field("never_completed", item.never_completed);
                break;
        }
    }
    // An fd's history names a direct descriptor this way (its fd is -1).
    if (item.kind == Kind::Earlier && !item.label.empty()) v.field("descriptor", item.label);
    if (item.injected) v.field("injected", true);
    v.field("repeated", static_cast<std::int64_t>(item.repeated));
}

}  // namespace sctrace
