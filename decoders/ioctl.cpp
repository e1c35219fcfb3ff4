// Decoder of ioctl: the request by name (every name the code has, joined
// by " or "), or as _IOC(dir, type, nr, size) when no table names it; the
// terminal requests' arguments (termios, winsize, modem lines, process
// groups ...) as strace 6.1 prints them. Other requests show their argument
// in hex. See decoders/decoder.h.
//
// When: a "set" request's argument at entry, a "get" request's at exit
// (what the kernel wrote; the address when the call failed).
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// The terminal requests (asm-generic/ioctls.h) whose argument strace decodes.
enum : std::uint32_t {
    kTcgets = 0x5401,
    kTcsets = 0x5402,
    kTcsetsw = 0x5403,
    kTcsetsf = 0x5404,
    kTcgeta = 0x5405,
    kTcseta = 0x5406,
    kTcsetaw = 0x5407,
    kTcsetaf = 0x5408,
    kTcsbrk = 0x5409,
    kTcxonc = 0x540a,
    kTcflsh = 0x540b,
    kTiocexcl = 0x540c,
    kTiocnxcl = 0x540d,
    kTiocsctty = 0x540e,
    kTiocgpgrp = 0x540f,
    kTiocspgrp = 0x5410,
    kTiocoutq = 0x5411,
    kTiocsti = 0x5412,
    kTiocgwinsz = 0x5413,
    kTiocswinsz = 0x5414,
    kTiocmget = 0x5415,
    kTiocmbis = 0x5416,
    kTiocmbic = 0x5417,
    kTiocmset = 0x5418,
    kTiocgsoftcar = 0x5419,
    kTiocssoftcar = 0x541a,
    kFionread = 0x541b,
    kTioccons = 0x541d,
    kTiocsserial = 0x541f,
    kTiocpkt = 0x5420,
    kFionbio = 0x5421,
    kTiocnotty = 0x5422,
    kTiocsetd = 0x5423,
    kTiocgetd = 0x5424,
    kTcsbrkp = 0x5425,
    kTiocsbrk = 0x5427,
    kTioccbrk = 0x5428,
    kTiocgsid = 0x5429,
    kTcgets2 = 0x802c542a,
    kTcsets2 = 0x402c542b,
    kTcsetsw2 = 0x402c542c,
    kTcsetsf2 = 0x402c542d,
    kTiocgptn = 0x80045430,
    kTiocgdev = 0x80045432,
    kTiocsptlck = 0x40045431,
    kTiocvhangup = 0x5437,
    kTiocgexcl = 0x80045440,
    kFionclex = 0x5450,
    kFioclex = 0x5451,
    kFioasync = 0x5452,
    kTiocglcktrmios = 0x5456,
    kTiocslcktrmios = 0x5457,
};

// How a terminal request's argument shows.
enum class Arg : std::uint8_t {
    Hex,       // not decoded: the argument in hex, at entry
    None,      // no argument shown
    Termios,   // struct termios
    Termios2,  // struct termios2
    Termio,    // struct termio
    Winsize,   // struct winsize
    Modem,     // an int of TIOCM_* flags, in brackets
    IntPtr,    // an int, in brackets
    Char,      // one byte, quoted (TIOCSTI)
    Int,       // the argument itself as an int
    Xonc,      // TCXONC's action
    Flsh,      // TCFLSH's queue
};

struct Request {
    Arg arg = Arg::Hex;
    bool at_exit = false;  // a "get": what the kernel wrote
};

Request term_request(std::uint32_t code) {
    switch (code) {
        case kTcgets:
        case kTiocglcktrmios:
            return {Arg::Termios, true};
        case kTcsets:
        case kTcsetsw:
        case kTcsetsf:
        case kTiocslcktrmios:
            return {Arg::Termios, false};
        case kTcgets2:
            return {Arg::Termios2, true};
        case kTcsets2:
        case kTcsetsw2:
        case kTcsetsf2:
            return {Arg::Termios2, false};
        case kTcgeta:
            return {Arg::Termio, true};
        case kTcseta:
        case kTcsetaw:
        case kTcsetaf:
            return {Arg::Termio, false};
        case kTiocgwinsz:
            return {Arg::Winsize, true};
        case kTiocswinsz:
            return {Arg::Winsize, false};
        case kTcxonc:
            return {Arg::Xonc, false};
        case kTcflsh:
            return {Arg::Flsh, false};
        case kTcsbrk:
        case kTcsbrkp:
        case kTiocsctty:
            return {Arg::Int, false};
        case kTiocmget:
            return {Arg::Modem, true};
        case kTiocmbis:
        case kTiocmbic:
        case kTiocmset:
            return {Arg::Modem, false};
        case kTiocgpgrp:
        case kTiocgsid:
        case kTiocgetd:
        case kTiocgsoftcar:
        case kTiocgptn:
        case kFionread:
        case kTiocoutq:
        case kTiocgexcl:
        case kTiocgdev:
            return {Arg::IntPtr, true};
        case kTiocspgrp:
        case kTiocsetd:
        case kFionbio:
        case kFioasync:
        case kTiocpkt:
        case kTiocssoftcar:
        case kTiocsptlck:
            return {Arg::IntPtr, false};
        case kTiocsti:
            return {Arg::Char, false};
        case kTiocsbrk:
        case kTioccbrk:
        case kTioccons:
        case kTiocnotty:
        case kTiocexcl:
        case kTiocnxcl:
        case kFioclex:
        case kFionclex:
        case kTiocvhangup:
        case kTiocsserial:
            return {Arg::None, false};
        default:
            return {Arg::Hex, false};
    }
}

constexpr std::uint32_t kIocNrBits = 8, kIocTypeBits = 8, kIocSizeBits = 14;
constexpr std::uint32_t kIocTypeShift = kIocNrBits, kIocSizeShift = kIocTypeShift + kIocTypeBits,
                        kIocDirShift = kIocSizeShift + kIocSizeBits;

std::uint32_t ioc_type(std::uint32_t code) {
    return (code >> kIocTypeShift) & 0xff;
}

// The request's name(s) or its _IOC() form.
void add_request(DecodeContext& ctx, std::uint32_t code) {
    shapes::TextBuilder text;
    bool named = false;
    for (const XlatEntry& e : xlat::ioctl_requests.entries) {
        if (e.value != code) continue;
        if (named) text.append(" or ");
        text.append(e.name);
        named = true;
    }
    if (!named) {
        char dir[64];
        const std::size_t d =
            shapes::format_flags(code >> kIocDirShift, xlat::ioctl_dirs, dir, "_IOC_???");
        const std::uint32_t size = (code >> kIocSizeShift) & ((1u << kIocSizeBits) - 1);
        // C's %#x: zero prints as "0".
        auto hex = [&](std::uint32_t v) {
            if (v) {
                text.printf(", %#x", v);
            } else {
                text.append(", 0");
            }
        };
        text.append("_IOC(").append(std::string_view(dir, d));
        hex(ioc_type(code));
        hex(code & 0xff);
        hex(size);
        text.append(")");
    }
    text.add_to(ctx.tree(), ctx.root());
}

// c_oflag: each delay field by name, then the other bits.
std::size_t format_oflag(std::uint32_t val, std::span<char> out) {
    struct Field {
        const XlatTable* table;
        std::uint32_t mask;
        std::string_view unknown;
    };
    static constexpr std::uint32_t kNldly = 0400, kCrdly = 03000, kTabdly = 014000, kBsdly = 020000,
                                   kVtdly = 040000, kFfdly = 0100000;
    const Field fields[] = {
        {&xlat::term_oflags_nldly, kNldly, "NL?"},    {&xlat::term_oflags_crdly, kCrdly, "CR?"},
        {&xlat::term_oflags_tabdly, kTabdly, "TAB?"}, {&xlat::term_oflags_bsdly, kBsdly, "BS?"},
        {&xlat::term_oflags_vtdly, kVtdly, "VT?"},    {&xlat::term_oflags_ffdly, kFfdly, "FF?"},
    };
    std::size_t n = 0;
    for (const Field& f : fields) {
        n += shapes::format_xval(val & f.mask, *f.table, out.subspan(std::min(n, out.size())),
                                 f.unknown);
        if (n < out.size()) out[n++] = '|';
        val &= ~f.mask;
    }
    n += shapes::format_flags(val, xlat::term_oflags, out.subspan(std::min(n, out.size())));
    return n;
}

// c_cflag: the baud rate, the input baud rate when set ("B9600<<IBSHIFT"),
// the character size, then the other bits.
std::size_t format_cflag(std::uint32_t val, std::span<char> out) {
    static constexpr std::uint32_t kCbaud = 010017, kCibaud = 002003600000, kIbshift = 16,
                                   kCsize = 060;
    std::size_t n = 0;
    auto rest = [&] { return out.subspan(std::min(n, out.size())); };
    auto bar = [&] {
        if (n < out.size()) out[n++] = '|';
    };
    n += shapes::format_xval(val & kCbaud, xlat::baud_options, rest(), "B???");
    bar();
    if (val & kCibaud) {
        n += shapes::format_xval((val & kCibaud) >> kIbshift, xlat::baud_options, rest(), "B???");
        for (const char c : std::string_view("<<IBSHIFT|")) {
            if (n < out.size()) out[n++] = c;
        }
    }
    n += shapes::format_xval(val & kCsize, xlat::term_cflags_csize, rest(), "CS?");
    bar();
    n += shapes::format_flags(val & ~(kCbaud | kCibaud | kCsize), xlat::term_cflags, rest());
    return n;
}

void add_flag_field(ArgTree& tree, NodeId s, std::string_view key, std::span<char> buf,
                    std::size_t n) {
    tree.add_text_copy(s, std::string_view(buf.data(), std::min(n, buf.size())), key);
}

// struct termios / termios2 / termio (print of decode_termios & co).
void add_termios(DecodeContext& ctx, std::uint64_t addr, Arg kind) {
    ArgTree& tree = ctx.tree();
    // The kernel's structs: four flag words (u32, or u16 for termio), the
    // line discipline, the control characters, and termios2's speeds.
    std::uint32_t flags[4] = {};
    unsigned char line = 0;
    unsigned char cc[19] = {};
    std::size_t ncc = 19;
    std::uint32_t speeds[2] = {};
    bool ok = false;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (kind == Arg::Termio) {
        struct {
            std::uint16_t flags[4];
            unsigned char line, cc[8];
        } t;
        ok = ctx.read_struct(addr, t);
        for (int i = 0; i < 4; ++i) flags[i] = t.flags[i];
        line = t.line;
        ncc = 8;
        std::memcpy(cc, t.cc, ncc);
    } else {
        struct {
            std::uint32_t flags[4];
            unsigned char line, cc[19];
            std::uint32_t speeds[2];
        } t;
        if (kind == Arg::Termios2) {
            ok = ctx.read_struct(addr, t);
        } else {
            // struct termios: the same without the speeds (36 bytes).
            char raw[36];
            ok = ctx.read_struct(addr, raw);
            std::memcpy(&t, raw, sizeof raw);
        }
        std::memcpy(flags, t.flags, sizeof flags);
        line = t.line;
        std::memcpy(cc, t.cc, sizeof cc);
        std::memcpy(speeds, t.speeds, sizeof speeds);
    }
    if (!ok) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    char buf[512];
    add_flag_field(tree, s, "c_iflag", buf, shapes::format_flags(flags[0], xlat::term_iflags, buf));
    add_flag_field(tree, s, "c_oflag", buf, format_oflag(flags[1], buf));
    add_flag_field(tree, s, "c_cflag", buf, format_cflag(flags[2], buf));
    add_flag_field(tree, s, "c_lflag", buf, shapes::format_flags(flags[3], xlat::term_lflags, buf));
    if (ctx.options().abbreviate) {
        tree.mark_truncated(s);
        return;
    }
    shapes::add_xval(tree, s, line, xlat::term_line_discs, "N_???", "c_line");
    // c_cc=[[VINTR]=0x3, [VQUIT]=0x1c, ...]; an index the table does not
    // name is a number.
    shapes::TextBuilder text;
    text.append("[");
    for (std::size_t i = 0; i < ncc; ++i) {
        if (i) text.append(", ");
        if (const auto name = xlat::termios_cc.name_of(i)) {
            text.append("[").append(*name).append("]=");
        } else {
            text.printf("[%zu]=", i);
        }
        if (cc[i]) {
            text.printf("%#x", cc[i]);
        } else {
            text.append("0");
        }
    }
    text.append("]");
    text.add_to(tree, s, "c_cc");
    if (kind == Arg::Termios2) {
        tree.add_uint(s, speeds[0], "c_ispeed");
        tree.add_uint(s, speeds[1], "c_ospeed");
    }
}

void add_winsize(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    std::uint16_t ws[4];
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
    } else if (!ctx.read_struct(addr, ws)) {
        tree.add_hex(ctx.root(), addr);
    } else {
        const NodeId s = tree.add_struct(ctx.root());
        tree.add_uint(s, ws[0], "ws_row");
        tree.add_uint(s, ws[1], "ws_col");
        tree.add_uint(s, ws[2], "ws_xpixel");
        tree.add_uint(s, ws[3], "ws_ypixel");
    }
}

void add_term_arg(DecodeContext& ctx, Arg kind) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t arg = ctx.arg(2);
    switch (kind) {
        case Arg::Termios:
        case Arg::Termios2:
        case Arg::Termio:
            add_termios(ctx, arg, kind);
            return;
        case Arg::Winsize:
            add_winsize(ctx, arg);
            return;
        case Arg::Modem: {
            std::uint32_t flags = 0;
            if (arg == 0) {
                tree.add_ptr(ctx.root(), 0);
            } else if (!ctx.read_struct(arg, flags)) {
                tree.add_hex(ctx.root(), arg);
            } else {
                const NodeId list = tree.add_array(ctx.root());
                shapes::add_xflags(tree, list, flags, xlat::modem_flags, "TIOCM_???");
            }
            return;
        }
        case Arg::IntPtr:
            shapes::add_num_at(ctx, ctx.root(), arg, 4, shapes::NumAs::Signed);
            return;
        case Arg::Char:
            shapes::add_string_n(ctx, ctx.root(), arg, 1, false);
            return;
        case Arg::Int:
            tree.add_int(ctx.root(), static_cast<int>(arg));
            return;
        case Arg::Xonc:
            shapes::add_xval(tree, ctx.root(), arg, xlat::tcxonc_options, "TC???");
            return;
        case Arg::Flsh:
            shapes::add_xval(tree, ctx.root(), arg, xlat::tcflsh_options, "TC???");
            return;
        case Arg::None:
            return;
        case Arg::Hex:
            tree.add_hex(ctx.root(), arg);
            return;
    }
}

constexpr std::uint32_t kTypeTerm = 'T';

void ioctl_entry(DecodeContext& ctx) {
    const auto code = static_cast<std::uint32_t>(ctx.arg(1));
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    add_request(ctx, code);
    if (ioc_type(code) != kTypeTerm) return;  // the argument at exit, in hex
    const Request r = term_request(code);
    if (r.at_exit) return;
    add_term_arg(ctx, r.arg);
    ctx.tree().entry_complete = true;
}

void ioctl_exit(DecodeContext& ctx) {
    const auto code = static_cast<std::uint32_t>(ctx.arg(1));
    if (ioc_type(code) != kTypeTerm) {
        ctx.tree().add_hex(ctx.root(), ctx.arg(2));
        return;
    }
    const Request r = term_request(code);
    if (r.at_exit) add_term_arg(ctx, r.arg);
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"ioctl", ioctl_entry, ioctl_exit},
};

}  // namespace

std::span<const SyscallDecoder> ioctl_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
