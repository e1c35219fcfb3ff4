#include "sources/live/signal_relay.h"

#include <unistd.h>

#include <atomic>
#include <iterator>

namespace sctrace {

namespace {

// A small ring of received signals: a person pressing ^C twice, or SIGTERM
// followed by SIGINT, must not lose one. Lock-free single producer (the
// handler, which runs on the tracer thread itself) and single consumer.
constexpr int kSlots = 8;
struct Slot {
    std::atomic<int> signo{0};
    std::atomic<int> from_kernel{0};
    std::atomic<int> sender{0};
};
Slot g_slots[kSlots];
std::atomic<unsigned> g_written{0};
unsigned g_read = 0;

constexpr int kFixedSignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,   SIGUSR1,
                                 SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM, SIGPROF,
                                 SIGXCPU, SIGXFSZ, SIGIO,   SIGPWR,    SIGSTKFLT};

// The relayed signals, in a fixed order. SIGRTMIN is glibc's first free
// real-time signal: the ones below it belong to glibc's threads library.
std::vector<int> relayed_signals() {
    std::vector<int> signals(std::begin(kFixedSignals), std::end(kFixedSignals));
    for (int signo = SIGRTMIN; signo <= SIGRTMAX; ++signo) signals.push_back(signo);
    return signals;
}

void on_signal(int signo, siginfo_t* info, void*) {
    const unsigned index = g_written.load(std::memory_order_relaxed);
    if (index - g_read >= kSlots) return;  // full: the loop is far behind; drop
    Slot& slot = g_slots[index % kSlots];
    slot.from_kernel.store(info && info->si_code == SI_KERNEL, std::memory_order_relaxed);
    slot.sender.store(info ? info->si_pid : 0, std::memory_order_relaxed);
    slot.signo.store(signo, std::memory_order_relaxed);
    g_written.store(index + 1, std::memory_order_release);
}

}  // namespace

sigset_t ignored_relayed_signals() {
    sigset_t ignored;
    sigemptyset(&ignored);
    for (const int signo : relayed_signals()) {
        struct sigaction current {};
        if (sigaction(signo, nullptr, &current) == 0 && !(current.sa_flags & SA_SIGINFO) &&
            current.sa_handler == SIG_IGN) {
            sigaddset(&ignored, signo);
        }
    }
    return ignored;
}

SignalRelay::SignalRelay(const sigset_t& leave_ignored) {
    struct sigaction action = {};
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO;  // deliberately no SA_RESTART
    sigemptyset(&action.sa_mask);
    for (const int signo : relayed_signals()) {
        if (sigismember(&leave_ignored, signo) == 1) continue;
        struct sigaction before {};
        if (sigaction(signo, &action, &before) == 0) replaced_.emplace_back(signo, before);
    }
}

SignalRelay::~SignalRelay() {
    for (const auto& [signo, before] : replaced_) sigaction(signo, &before, nullptr);
}

ReceivedSignal SignalRelay::take() {
    if (g_read == g_written.load(std::memory_order_acquire)) return {};
    Slot& slot = g_slots[g_read % kSlots];
    ReceivedSignal received{slot.signo.load(std::memory_order_relaxed),
                            slot.from_kernel.load(std::memory_order_relaxed) != 0, false,
                            slot.sender.load(std::memory_order_relaxed)};
    // A write to a closed pipe or past RLIMIT_FSIZE signals the writer with
    // its own pid as the sender.
    received.from_self = !received.from_kernel && received.sender == ::getpid();
    ++g_read;
    return received;
}

}  // namespace sctrace
