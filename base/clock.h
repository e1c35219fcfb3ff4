#pragma once

#include <time.h>

#include "events/event.h"

namespace sctrace {

// Wall-clock now, as event timestamps use it. clock_gettime goes through the
// vDSO: no syscall, cheap enough for the per-stop hot path.
inline Nanos now_realtime() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return Nanos{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace sctrace
