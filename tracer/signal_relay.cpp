#include "tracer/signal_relay.h"

#include <signal.h>

#include <atomic>

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

constexpr int kRelayedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

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

SignalRelay::SignalRelay() {
    struct sigaction action = {};
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO;  // deliberately no SA_RESTART
    sigemptyset(&action.sa_mask);
    for (const int signo : kRelayedSignals) sigaction(signo, &action, nullptr);
}

SignalRelay::~SignalRelay() {
    struct sigaction action = {};
    action.sa_handler = SIG_DFL;
    for (const int signo : kRelayedSignals) sigaction(signo, &action, nullptr);
}

ReceivedSignal SignalRelay::take() {
    if (g_read == g_written.load(std::memory_order_acquire)) return {};
    Slot& slot = g_slots[g_read % kSlots];
    ReceivedSignal received{slot.signo.load(std::memory_order_relaxed),
                            slot.from_kernel.load(std::memory_order_relaxed) != 0,
                            slot.sender.load(std::memory_order_relaxed)};
    ++g_read;
    return received;
}

}  // namespace sctrace
