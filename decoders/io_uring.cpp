// Decoders of the io_uring family. See decoders/decoder.h.
#include "decoders/decoder.h"
#include "decoders/xlat_tables.h"

namespace sctrace {

namespace {

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // placeholder until this family's decoders land
};

}  // namespace

std::span<const SyscallDecoder> io_uring_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
