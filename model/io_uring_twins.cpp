#include "model/io_uring_twins.h"

#include "model/io_uring_twin_data.h"
#include "model/syscall_table.h"

namespace sctrace {

const IoUringTwin* io_uring_twin(unsigned opcode) {
    // A few dozen rows: a scan is as quick as any index, and keeps the table
    // in the order the data file reads.
    for (const IoUringTwin& twin : kIoUringTwins) {
        if (twin.opcode == opcode) return twin.syscall.empty() ? nullptr : &twin;
    }
    return nullptr;
}

const SyscallInfo* io_uring_twin_row(const IoUringTwin& twin) {
    return syscall_info(Arch::X86_64, twin.syscall);
}

bool io_uring_updates_slots(unsigned opcode) {
    for (const IoUringTwin& twin : kIoUringTwins) {
        if (twin.opcode == opcode) return twin.updates_slots;
    }
    return false;
}

std::span<const IoUringTwin> io_uring_twins() {
    return kIoUringTwins;
}

}  // namespace sctrace
