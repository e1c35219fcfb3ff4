// Decoders of the memory family beyond mappings (mmap and munmap are
// desc.cpp's): brk, mprotect, pkey_mprotect, mremap, madvise, msync,
// mincore, mlock, munlock, mlock2, mlockall, pkey_alloc, pkey_free.
// See decoders/decoder.h.
//
// What strace 6.1 prints: everything at entry, but mincore's vector,
// which the kernel fills. brk and mremap return addresses, in hex.
#include <unistd.h>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_xflags;

void addr_len(DecodeContext& ctx) {
    ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

void brk_entry(DecodeContext& ctx) {
    ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    ctx.tree().ret_format = RetFormat::Hex;
}

void prot_arg(DecodeContext& ctx, int i) {
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(i), xlat::mmap_prot, "PROT_???");
}

void mprotect_entry(DecodeContext& ctx) {
    addr_len(ctx);
    prot_arg(ctx, 2);
}

void pkey_mprotect_entry(DecodeContext& ctx) {
    mprotect_entry(ctx);
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(3)));
}

void mremap_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    tree.ret_format = RetFormat::Hex;
    addr_len(ctx);
    tree.add_uint(ctx.root(), ctx.arg(2));
    const std::uint64_t flags = ctx.arg(3);
    add_xflags(tree, ctx.root(), flags, xlat::mremap_flags, "MREMAP_???");
    // The new address matters only when both MAYMOVE and FIXED are set.
    constexpr std::uint64_t kMayMove = 1, kFixed = 2;
    if ((flags & (kMayMove | kFixed)) == (kMayMove | kFixed)) tree.add_ptr(ctx.root(), ctx.arg(4));
}

void madvise_entry(DecodeContext& ctx) {
    addr_len(ctx);
    shapes::add_xval(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::madvise_advice,
                     "MADV_???");
}

void msync_entry(DecodeContext& ctx) {
    addr_len(ctx);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::msync_flags, "MS_???");
}

void mlock2_entry(DecodeContext& ctx) {
    addr_len(ctx);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::mlock_flags, "MLOCK_???");
}

void mlockall_entry(DecodeContext& ctx) {
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(0) & 0xffffffffu, xlat::mlockall_flags, "MCL_???");
}

// mincore's vector: one byte a page, each shown as its residency bit.
void mincore_exit(DecodeContext& ctx) {
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t len = ctx.arg(1);
    const std::uint64_t pages = len / page + ((len % page) ? 1 : 0);
    auto elem = [](DecodeContext& c, NodeId list, const char* bytes) {
        c.tree().add_uint(list, static_cast<unsigned char>(bytes[0]) & 1u);
    };
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(2));
        return;
    }
    shapes::add_array<1>(ctx, ctx.root(), ctx.arg(2), pages, elem);
}

void pkey_alloc_entry(DecodeContext& ctx) {
    ctx.tree().add_hex(ctx.root(), ctx.arg(0));
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(1), xlat::pkey_access, "PKEY_???");
}

// strace's printargs_d: each argument as a signed int.
void pkey_free_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"brk", brk_entry, nullptr},
    {"mprotect", mprotect_entry, nullptr},
    {"pkey_mprotect", pkey_mprotect_entry, nullptr},
    {"mremap", mremap_entry, nullptr},
    {"madvise", madvise_entry, nullptr},
    {"msync", msync_entry, nullptr},
    {"mlock", addr_len, nullptr},
    {"munlock", addr_len, nullptr},
    {"mlock2", mlock2_entry, nullptr},
    {"mlockall", mlockall_entry, nullptr},
    {"mincore", addr_len, mincore_exit},
    {"pkey_alloc", pkey_alloc_entry, nullptr},
    {"pkey_free", pkey_free_entry, nullptr},
};

}  // namespace

std::span<const SyscallDecoder> mem_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
