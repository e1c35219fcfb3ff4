#include "engine/signal_state.h"

#include <signal.h>

#include <optional>
#include <vector>

#include "engine/arg_query.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// The calls this file reads: the ones that set a disposition, as a struct
// sigaction (new action argument 1, old action argument 2) or a bare handler
// (argument 1), and the ones that may share dispositions with a new process.
enum class CallForm : std::uint8_t { None, Struct, Handler, Clone, Clone3 };

CallForm form_of(const SyscallEvent& call) {
    switch (syscall_traits(call).kind) {
        case SyscallKind::Sigaction:  // rt_sigaction, and i386's sigaction (same members)
            return CallForm::Struct;
        case SyscallKind::Signal:  // i386
            return CallForm::Handler;
        case SyscallKind::Clone:
            return CallForm::Clone;
        case SyscallKind::Clone3:
            return CallForm::Clone3;
        default:
            return CallForm::None;
    }
}

// A handler value: SIG_DFL, SIG_IGN, or a function's address. nullopt when
// the node says neither (SIG_ERR, an unparsable text).
std::optional<SignalAction> action_of_handler(const ArgTree& tree, NodeId id) {
    SignalAction a;
    // A number (an address, 0, 1) in either dialect; a log's SIG_DFL or
    // SIG_IGN by the table the live decoder names them with.
    std::optional<std::uint64_t> value;
    if (const auto v = tree.int_value(id)) {
        value = static_cast<std::uint64_t>(*v);
    } else {
        value = xlat::sa_handlers.value_of(tree.name(id));
    }
    if (!value) return std::nullopt;
    if (*value == 0) {
        a.disposition = Disposition::Default;
    } else if (*value == 1) {
        a.disposition = Disposition::Ignored;
    } else if (*value == static_cast<std::uint64_t>(-1)) {
        return std::nullopt;  // SIG_ERR: not a disposition
    } else {
        a.disposition = Disposition::Handled;
        a.handler = *value;
    }
    return a;
}

// A struct sigaction argument: the action it describes; nullopt for NULL
// (nothing asked or told), Unknown when it was not read (an address).
std::optional<SignalAction> action_of_struct(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode) {
        // No tree (a live call decoded without memory): a non-NULL pointer
        // says a new action was set, not which.
        if (call.decoded || index >= 6 || call.args[static_cast<std::size_t>(index)] == 0) {
            return std::nullopt;
        }
        return SignalAction{};
    }
    if (arg_is_null(call, index)) return std::nullopt;
    const ArgTree& tree = *call.decoded;
    if (arg_struct(call, index) == kNoNode) return SignalAction{};  // unreadable: unknown
    const NodeId handler = tree.member(id, "sa_handler");
    if (handler == kNoNode) return SignalAction{};
    std::optional<SignalAction> a = action_of_handler(tree, handler);
    if (!a) return SignalAction{};
    a->reset_hand = tree.has_flag(tree.member(id, "sa_flags"), "SA_RESETHAND");
    return a;
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::Unknown:
            return "unknown";
        case Verdict::Default:
            return "default";
        case Verdict::Ignored:
            return "ignored";
        case Verdict::Handled:
            return "handled";
    }
    return "unknown";
}

bool is_synchronous_fault(const SignalEvent& sig) {
    const bool fault_signal =
        sig.signo == SIGSEGV || sig.signo == SIGBUS || sig.signo == SIGILL || sig.signo == SIGFPE;
    return fault_signal && sig.code > 0;  // SI_KERNEL included: a general protection fault
}

const SignalAction& SignalDispositions::action(int signo) const {
    static const SignalAction kUnknown{};
    if (signo < 1 || signo > kMaxSignal) return kUnknown;
    return actions_[static_cast<std::size_t>(signo)];
}

Verdict SignalDispositions::judge(const SignalEvent& sig) const {
    const bool forced = is_synchronous_fault(sig);
    switch (action(sig.signo).disposition) {
        case Disposition::Handled:
            // A blocked fault would be forced to the default action too; the
            // mask is not tracked, and the process's death says so if it was.
            return Verdict::Handled;
        case Disposition::Default:
            return Verdict::Default;
        case Disposition::Ignored:
            return forced ? Verdict::Default : Verdict::Ignored;
        case Disposition::NotHandled:
            return forced ? Verdict::Default : Verdict::Unknown;
        case Disposition::Unknown:
            return Verdict::Unknown;
    }
    return Verdict::Unknown;
}

void SignalDispositions::on_sigaction_call(const SyscallEvent& call) {
    if (!call.has_result || call.err != 0) return;
    const CallForm form = form_of(call);
    if (form != CallForm::Struct && form != CallForm::Handler) return;
    const std::optional<int> signo = arg_signal(call, 0);
    if (!signo || *signo < 1 || *signo > kMaxSignal) return;
    SignalAction& slot = actions_[static_cast<std::size_t>(*signo)];
    if (form == CallForm::Handler) {
        const NodeId id = arg_node(call, 1);
        std::optional<SignalAction> a;
        if (id != kNoNode) {
            a = action_of_handler(*call.decoded, id);
        } else if (!call.decoded) {
            SignalAction raw;
            raw.disposition = call.args[1] == 0   ? Disposition::Default
                              : call.args[1] == 1 ? Disposition::Ignored
                                                  : Disposition::Handled;
            if (raw.disposition == Disposition::Handled) raw.handler = call.args[1];
            a = raw;
        }
        // The kernel's own signal() sets SA_RESETHAND|SA_NODEFER (System V
        // semantics): the handler runs once.
        if (a && a->disposition == Disposition::Handled) a->reset_hand = true;
        slot = a.value_or(SignalAction{});
        return;
    }
    // What was there (the old action, when asked for), then what is now.
    if (const auto old = action_of_struct(call, 2);
        old && old->disposition != Disposition::Unknown) {
        slot = *old;
    }
    if (const auto now = action_of_struct(call, 1)) slot = *now;
}

void SignalDispositions::on_delivery(const SignalEvent& sig) {
    if (sig.signo < 1 || sig.signo > kMaxSignal) return;
    SignalAction& slot = actions_[static_cast<std::size_t>(sig.signo)];
    if (slot.disposition == Disposition::Handled && slot.reset_hand) {
        slot = SignalAction{};
        slot.disposition = Disposition::Default;
    } else if (is_synchronous_fault(sig) && (slot.disposition == Disposition::Ignored ||
                                             slot.disposition == Disposition::NotHandled)) {
        // The kernel resets what it forced.
        slot = SignalAction{};
        slot.disposition = Disposition::Default;
    }
}

void SignalDispositions::on_exec(bool known, std::uint64_t ignored) {
    for (int signo = 1; signo <= kMaxSignal; ++signo) {
        SignalAction& slot = actions_[static_cast<std::size_t>(signo)];
        if (known) {
            const bool ign = (ignored >> (signo - 1)) & 1;
            slot = SignalAction{};
            slot.disposition = ign ? Disposition::Ignored : Disposition::Default;
            continue;
        }
        switch (slot.disposition) {
            case Disposition::Handled:
                slot = SignalAction{};
                slot.disposition = Disposition::Default;
                break;
            case Disposition::Unknown:
                slot.disposition = Disposition::NotHandled;
                break;
            default:
                break;  // SIG_DFL and SIG_IGN survive an exec
        }
    }
}

bool is_sigaction_call(const SyscallEvent& call) {
    const CallForm form = form_of(call);
    return form == CallForm::Struct || form == CallForm::Handler;
}

bool is_sighand_sharing_clone(const SyscallEvent& call) {
    constexpr std::uint64_t kCloneSighand = 0x00000800, kCloneThread = 0x00010000;
    if (!call.has_result || call.err != 0 || call.ret <= 0) return false;
    const CallForm form = form_of(call);
    if (form != CallForm::Clone && form != CallForm::Clone3) return false;
    // clone's flags are the argument strace names flags=; clone3's a member
    // of its struct. Without a tree, clone's raw first argument.
    std::optional<std::uint64_t> flags;
    bool sighand = false, thread = false;
    if (call.decoded) {
        const ArgTree& tree = *call.decoded;
        for (const NodeId c : tree.children(tree.root())) {
            NodeId f = tree.node(c).key == "flags" ? c : kNoNode;
            if (f == kNoNode && tree.node(c).kind == ArgKind::Struct) {
                f = tree.member(c, "flags");
            }
            if (f == kNoNode) continue;
            sighand = tree.has_flag(f, "CLONE_SIGHAND");
            thread = tree.has_flag(f, "CLONE_THREAD");
            flags = 0;
            break;
        }
        if (!flags) return false;
    } else {
        // clone's first argument (clone3's is a pointer: not read here).
        if (form != CallForm::Clone) return false;
        sighand = call.args[0] & kCloneSighand;
        thread = call.args[0] & kCloneThread;
    }
    return sighand && !thread;
}

}  // namespace sctrace
