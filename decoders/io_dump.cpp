// -e read=SET / -e write=SET: the data a call read from or wrote to one of
// the descriptors asked for, kept in the tree's dump for the writer to show
// in hex and ASCII after the call's line, as strace 6.1's dumpio does.
//
// What strace dumps, and so what is kept here:
//   - written data whatever the call's outcome: a write's whole buffer (its
//     length argument, not the result), every iovec element whole;
//   - read data only after a successful call, as much as the result says;
//   - a buffer in 64 KiB pieces: an unreadable first piece is dropped
//     silently, a later one ends the dump with a "Cannot fetch" line
//     (IoDumpPart::readable short of its length);
//   - an iovec array only when all of it can be read, each element after a
//     " * N bytes in buffer I" line, stopping at the first empty one;
//   - an mmsghdr array one " = N buffers in vector I" line per message,
//     as many messages as the call returned.
// Which calls move data where is syscall_traits.in's (dumps_read=,
// dumps_written=).
#include <algorithm>
#include <cstring>

#include "decoders/decoder.h"
#include "model/syscall_table.h"

namespace sctrace {

namespace {

// strace fetches a buffer 64 KiB at a time.
constexpr std::uint64_t kFetchChunk = 64 * 1024;
// The kernel handles at most UIO_MAXIOV messages in one sendmmsg/recvmmsg;
// a failed call's count (-1) stops there rather than at 4 billion.
constexpr std::uint64_t kMaxMessages = 1024;
// An unbounded "up to" for written data.
constexpr std::uint64_t kAll = ~std::uint64_t{0};

bool narrow(Arch arch) {
    return arch == Arch::I386 || arch == Arch::X32;
}

class Dumper {
public:
    Dumper(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory)
        : call_(call), tree_(tree), memory_(memory) {}

    // strace's dumpstr: `len` bytes at `addr`.
    void buffer(std::uint64_t addr, std::uint64_t len) {
        // A length that wraps the address space is skipped, as strace does.
        if (len > len + 16 || addr + len < addr) return;
        tree_.begin_dump_data(addr, len);
        for (std::uint64_t at = 0; at < len; at += kFetchChunk) {
            const auto n = static_cast<std::size_t>(std::min(len - at, kFetchChunk));
            const std::span<char> room = tree_.dump_room(n);
            const bool whole = read(addr + at, room);
            tree_.commit_dump_data(whole ? n : 0);
            if (!whole) break;
        }
    }

    // strace's dumpiov_upto: `count` iovecs at `addr`, at most `data_size`
    // bytes in all.
    void iov(std::uint64_t addr, std::uint64_t count, std::uint64_t data_size) {
        const std::uint64_t word = narrow(call_.arch) ? 4 : 8;
        const auto elements = static_cast<std::uint32_t>(static_cast<int>(count));
        // strace sizes the array in an unsigned int and gives up when that
        // overflows.
        if (elements > 0xffffffffu / (2 * word)) return;
        const std::size_t kept = tree_.dump().size();
        for (std::uint32_t i = 0; i < elements; ++i) {
            std::uint64_t base = 0, len = 0;
            if (word == 4) {
                std::uint32_t v[2];
                if (!read(addr + i * 8, {reinterpret_cast<char*>(v), sizeof v})) {
                    tree_.truncate_dump(kept);  // the array is read whole or not at all
                    return;
                }
                base = v[0];
                len = v[1];
            } else {
                std::uint64_t v[2];
                if (!read(addr + i * 16, {reinterpret_cast<char*>(v), sizeof v})) {
                    tree_.truncate_dump(kept);
                    return;
                }
                base = v[0];
                len = v[1];
            }
            len = std::min(len, data_size);
            if (len == 0) {
                // Nothing after the first empty element is dumped, but the
                // rest of the array must still be readable.
                if (!readable_iovs(addr, i + 1, elements, word)) tree_.truncate_dump(kept);
                return;
            }
            data_size -= len;
            tree_.add_dump_header(IoDumpPart::Kind::Buffer, i, len);
            buffer(base, len);
        }
    }

    // A struct msghdr's msg_iov and msg_iovlen.
    bool msghdr(std::uint64_t addr, std::uint64_t& iov, std::uint64_t& iovlen) {
        if (narrow(call_.arch)) {
            std::uint32_t m[7];
            if (!read(addr, {reinterpret_cast<char*>(m), sizeof m})) return false;
            iov = m[2];
            iovlen = m[3];
            return true;
        }
        std::uint64_t m[7];
        if (!read(addr, {reinterpret_cast<char*>(m), sizeof m})) return false;
        iov = m[2];
        iovlen = m[3];
        return true;
    }

    // strace's dumpiov_in_mmsghdr: `count` messages at `addr`.
    void mmsghdr(std::uint64_t addr, std::uint64_t count) {
        const std::uint64_t header = narrow(call_.arch) ? 28 : 56;
        const std::uint64_t size = narrow(call_.arch) ? 32 : 64;
        for (std::uint64_t i = 0; i < std::min(count, kMaxMessages); ++i) {
            const std::uint64_t at = addr + i * size;
            std::uint64_t iov = 0, iovlen = 0;
            char tail[8];  // msg_len and, on 64-bit, its padding: strace reads the whole struct
            if (!msghdr(at, iov, iovlen) ||
                !read(at + header, {tail, static_cast<std::size_t>(size - header)})) {
                return;
            }
            std::uint32_t msg_len = 0;
            std::memcpy(&msg_len, tail, sizeof msg_len);
            tree_.add_dump_header(IoDumpPart::Kind::Vector, static_cast<std::uint32_t>(i), iovlen);
            this->iov(iov, iovlen, msg_len);
        }
    }

private:
    bool read(std::uint64_t addr, std::span<char> out) {
        return out.empty() || (addr != 0 && memory_.read(addr, out) == out.size());
    }

    bool readable_iovs(std::uint64_t addr, std::uint32_t from, std::uint32_t to,
                       std::uint64_t word) {
        char probe[16];
        for (std::uint32_t i = from; i < to; ++i) {
            if (!read(addr + i * 2 * word, {probe, static_cast<std::size_t>(2 * word)})) {
                return false;
            }
        }
        return true;
    }

    const SyscallEvent& call_;
    ArgTree& tree_;
    MemoryReader& memory_;
};

void dump(Dumper& dumper, IoShape shape, const SyscallEvent& call, std::uint64_t up_to) {
    switch (shape) {
        case IoShape::Buffer:
            dumper.buffer(call.args[1], up_to == kAll ? call.args[2] : up_to);
            break;
        case IoShape::Iov:
            dumper.iov(call.args[1], call.args[2], up_to);
            break;
        case IoShape::Msghdr: {
            std::uint64_t iov = 0, iovlen = 0;
            if (dumper.msghdr(call.args[1], iov, iovlen)) dumper.iov(iov, iovlen, up_to);
            break;
        }
        case IoShape::Mmsghdr:
            // As many messages as the call handled; strace reads a failed
            // call's -1 as "until one cannot be read".
            dumper.mmsghdr(call.args[1],
                           call.err != 0 ? kAll : static_cast<std::uint32_t>(call.ret));
            break;
        case IoShape::None:
            break;
    }
}

}  // namespace

void add_io_dump(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                 const DecodeOptions& options) {
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    if (!info || info->traits.io_shape == IoShape::None || !call.has_result) return;
    const int fd = static_cast<int>(call.args[0]);
    if (fd < 0) return;
    Dumper dumper(call, tree, memory);
    if (info->traits.io_written) {
        if (options.dump_writes.contains(fd)) dump(dumper, info->traits.io_shape, call, kAll);
    } else if (call.err == 0 && options.dump_reads.contains(fd)) {
        dump(dumper, info->traits.io_shape, call, static_cast<std::uint64_t>(call.ret));
    }
}

}  // namespace sctrace
