#include "sources/live/fault_injector.h"

#include <limits>
#include <utility>

namespace sctrace {

FaultInjector::FaultInjector(std::vector<Injection> injections)
    : injections_(std::move(injections)) {
    for (const Injection& inj : injections_) {
        calls_ |= inj.calls;
        delivers_signals_ |= inj.signal != 0;
        delays_ |= inj.delay_enter.has_value() || inj.delay_exit.has_value();
    }
}

const Injection* FaultInjector::on_entry(InvocationCounts& counts, Arch arch, long nr) const {
    const Injection* chosen = nullptr;
    for (auto it = injections_.rbegin(); it != injections_.rend(); ++it) {
        if (it->calls.contains(arch, nr)) {
            chosen = &*it;
            break;
        }
    }
    if (!chosen) return nullptr;
    const std::uint32_t key =
        (static_cast<std::uint32_t>(arch) << 16) | (static_cast<std::uint32_t>(nr) & 0xffff);
    std::uint32_t& n = counts[key];
    if (n < std::numeric_limits<std::uint32_t>::max()) ++n;
    return chosen->when.matches(n) ? chosen : nullptr;
}

}  // namespace sctrace
