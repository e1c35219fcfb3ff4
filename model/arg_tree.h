// The decoded arguments of one syscall: a small tree of typed values, built by
// the family decoders and formatted later by a writer (strace's format, text,
// JSON). Decoding never prints; printing never reads tracee memory.
//
// The tree lives in a fixed arena owned by the traced thread and is reset at
// each syscall entry, so decoding allocates nothing. When the arena is full,
// further nodes are dropped and the tree is marked `overflowed`; writers then
// print "..." where the rest would have been.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "model/xlat.h"

namespace sctrace {

using NodeId = std::uint16_t;
inline constexpr NodeId kNoNode = 0xffff;

enum class ArgKind : std::uint8_t {
    Int,     // signed decimal: -1, 42
    UInt,    // unsigned decimal
    Hex,     // 0x1f (0 prints as 0)
    Oct,     // 0644 (mode bits)
    Ptr,     // NULL or 0x7ffd...
    Flags,   // table names joined by '|'; unknown bits as 0x..; see enum_table
    Enum,    // the table's name for the value, else the number (see fallback)
    Str,     // a quoted, escaped byte string; `truncated` adds "..." after it
    Struct,  // {key=value, ...}
    Array,   // [a, b, ...]
    Text,    // printed verbatim: htons(80), inet_addr("1.2.3.4"), /* 3 entries */
             // With a child, a symbolic form of the child's value (see XlatPin).
};

// strace's -X: how named constants and other symbolic forms print.
//   Abbrev (default)  O_RDONLY, htons(80), 0x10 /* EFD_??? */
//   Raw               0, "\x00\x50", 0x10
//   Verbose           0 /* O_RDONLY */, "\x00\x50" /* htons(80) */, 0x10 /* EFD_??? */
// The tree holds every form (an Enum or Flags node its table; a Text with a
// child the child's raw value, and optionally a second Text child, the
// comment's text where it differs from the abbreviation); a writer picks one.
enum class XlatStyle : std::uint8_t { Abbrev, Raw, Verbose };

// A node whose form does not follow -X alone.
enum class XlatPin : std::uint8_t {
    None,
    // Verbose unless -X raw (strace's PRINT_FIELD_XVAL_VERBOSE):
    // srx_service=0x1 /* CM_SERVICE */ by default too.
    VerboseUnlessRaw,
    // A Text with a child: the child and the text as a comment in every
    // style: opcode=0x4 /* IORING_RESTRICTION_??? */ /* op: 0 */.
    Always,
    // Names whatever -X says (fcntl's F_GETFL result: flags O_RDWR).
    Abbrev,
};

// What an fd node's `text` holds (strace's -y, -yy; a log's decoration),
// and so how it prints after the number.
enum class FdDecoration : std::uint8_t {
    // A path as readlink of /proc/PID/fd/N gives it: "3</dev/null>", with
    // '<' and '>' escaped and readlink's " (deleted)" as "(deleted)" after.
    Path,
    // A device's path, a NUL (no path holds one), then its kind and
    // numbers: "/dev/null\0char 1:3" prints "3</dev/null<char 1:3>>".
    Device,
    // strace's own description, printed as it is: a socket's endpoints
    // ("TCP:[127.0.0.1:80->127.0.0.1:4711]"), a pidfd's process ("pid:42").
    Details,
};

struct ArgNode {
    ArgKind kind = ArgKind::Int;
    bool truncated = false;  // Str: more bytes followed; Struct/Array: more members followed
    bool enum_hex = false;   // Enum fallback for unknown values: hex instead of decimal
    bool spaced = false;     // Array: members separated by ' ' (fd sets, sigsets: [3 4])
    bool inverted = false;   // Array: printed as ~[...] (a sigset's complement)
    // Array: each member with a child prints as [member]=child (strace's
    // PAF_PRINT_INDICES: [IO_WQ_BOUND]=4), the member being the index.
    bool indexed = false;
    // Array: no brackets, members joined by " => ": a value the kernel
    // changed, as the caller passed it and as the call left it.
    bool changed = false;
    bool fd = false;         // Int: a file descriptor (-y decorates it, -P matches it);
                             // Enum: AT_FDCWD, whose -y decoration is the working directory
    FdDecoration decoration = FdDecoration::Path;  // an fd's `text`, when it has one
    bool force_hex = false;  // Str: every byte as \xNN (strace's QUOTE_FORCE_HEX)
    XlatPin pin = XlatPin::None;
    // Int/UInt: a process id; `text`, when set, is sctrace's number for it
    // (the tracee's pid namespace numbers it differently).
    bool pid = false;
    NodeId first_child = kNoNode;
    NodeId last_child = kNoNode;
    NodeId next = kNoNode;
    std::string_view key;     // member name inside a Struct ("sin_port"); else empty
    std::uint64_t value = 0;  // Int/UInt/Hex/Oct/Ptr/Flags/Enum
    const XlatTable* table = nullptr;
    // Flags only: an enumeration inside the value (open's access mode, the
    // socket type, the futex command): printed first from (value & enum_mask)
    // with enum_table, then the remaining bits as flags.
    const XlatTable* enum_table = nullptr;
    std::uint64_t enum_mask = 0;
    // Flags with enum_table under -X raw/verbose: each part in that style,
    // joined by '|' (socket's type: 0x1 /* SOCK_STREAM */|0x80000 /*
    // SOCK_CLOEXEC */), rather than the whole value once (open's flags).
    bool style_parts = false;
    // Str bytes; Text; an fd number's decoration (see FdDecoration); Flags
    // and Enum: how a value no entry names is labelled ("SOCK_???": 0x60 /*
    // SOCK_??? */).
    std::string_view text;
};

// How the return value prints (strace decodes some results).
enum class RetFormat : std::uint8_t {
    Default,   // decimal
    Hex,       // mmap, brk: 0x7f...
    Octal,     // umask: 022 (C's %#03o: 000, 006)
    Unsigned,  // a register value above INT64_MAX (rt_sigreturn's restored rax)
    None,      // no result printed as a number (exit_group: "= ?")
};

// strace's -e read=SET / -e write=SET: one piece of what a call read or
// wrote, which strace dumps in hex and ASCII after the call's line.
struct IoDumpPart {
    enum class Kind : std::uint8_t {
        Data,    // `length` bytes at `addr`; `readable` of them were read
        Buffer,  // " * LENGTH bytes in buffer INDEX" (an iovec element)
        Vector,  // " = LENGTH buffers in vector INDEX" (an mmsghdr)
    };
    Kind kind = Kind::Data;
    std::uint32_t index = 0;   // Buffer, Vector
    std::uint64_t length = 0;  // Data: the buffer's length; Buffer: bytes; Vector: buffers
    std::uint64_t addr = 0;    // Data
    // Data: where its bytes start in the tree's dump store, and how many
    // of `length` were readable (a prefix; 0 when none was).
    std::size_t offset = 0;
    std::size_t readable = 0;
};

class PackedArgTrees;

class ArgTree {
public:
    // futex_waitv's 128 waiters, four nodes each, are the largest array
    // strace prints whole.
    static constexpr std::size_t kMaxNodes = 1024;
    static constexpr std::size_t kMaxBytes = 16384;

    ArgTree() { clear(); }

    void clear();

    // The syscall's own arguments are the root's children, in order.
    NodeId root() const { return 0; }
    const ArgNode& node(NodeId id) const { return nodes_[id]; }
    // For decoders adjusting a node they just added (spaced, truncated ...).
    ArgNode& mutable_node(NodeId id) { return nodes_[id]; }
    std::size_t node_count() const { return used_nodes_; }
    bool overflowed() const { return overflowed_; }

    // Appends a child to `parent` (a Struct, an Array or the root). Returns
    // its id, or kNoNode when the arena is full (then the tree is marked).
    NodeId add(NodeId parent, const ArgNode& node);

    // Convenience builders; `key` names a Struct member.
    NodeId add_int(NodeId parent, std::int64_t v, std::string_view key = {});
    NodeId add_uint(NodeId parent, std::uint64_t v, std::string_view key = {});
    NodeId add_hex(NodeId parent, std::uint64_t v, std::string_view key = {});
    NodeId add_oct(NodeId parent, std::uint64_t v, std::string_view key = {});
    NodeId add_ptr(NodeId parent, std::uint64_t v, std::string_view key = {});
    NodeId add_flags(NodeId parent, std::uint64_t v, const XlatTable& table,
                     std::string_view key = {});
    NodeId add_enum(NodeId parent, std::uint64_t v, const XlatTable& table,
                    std::string_view key = {});
    NodeId add_struct(NodeId parent, std::string_view key = {});
    NodeId add_array(NodeId parent, std::string_view key = {});
    // Copies `bytes` into the arena (fewer if it is nearly full: then the
    // node is marked truncated). `truncated`: the source had more bytes.
    NodeId add_str(NodeId parent, std::span<const char> bytes, bool truncated,
                   std::string_view key = {});
    // `text` must outlive the tree (a literal), or use add_text_copy.
    NodeId add_text(NodeId parent, std::string_view text, std::string_view key = {});
    NodeId add_text_copy(NodeId parent, std::string_view text, std::string_view key = {});
    // A Text given a child (added under the Text's id) is a symbolic form
    // of that raw value: "htons(80)" over the Str "\x00\x50"; -X picks
    // which prints (XlatStyle).
    // Marks a Struct/Array as having more members than were added ("...").
    void mark_truncated(NodeId id);

    // Copies bytes into the arena and returns the stored view (shorter when full).
    std::string_view store(std::span<const char> bytes);

    // Deep-copies `node` of `other` (with its children) under `parent` of
    // this tree; keys and texts are copied into this tree's arena. Used to
    // join an "<unfinished ...>" half with its "<... resumed>" half.
    NodeId append_copy(NodeId parent, const ArgTree& other, NodeId node);

    // Copies every key and text that points outside this tree's arena into
    // it, so the tree stays valid after the text it was parsed from is gone.
    void internalize();

    // The number of root children decoded at entry: what strace prints on
    // an "<unfinished ...>" line. Set by the tracer after the entry decoder.
    std::uint16_t entry_arg_count = 0;
    // Whether the entry decoder finished the argument list (strace prints
    // "<unfinished ...>" right after the last argument, with its ", ").
    bool entry_complete = false;

    RetFormat ret_format = RetFormat::Default;
    // A returned fd's -y decoration ("/dev/null" for "= 3</dev/null>").
    std::string_view ret_text;
    FdDecoration ret_decoration = FdDecoration::Path;
    // A returned process id's number in sctrace's pid namespace, when it
    // differs (F_GETOWN with --decode-pids=pidns).
    std::string_view ret_pid;
    // Extra decoding of the result, printed in parentheses after it: a
    // Struct made with add_detached_struct() whose members print as
    // "key value" (or just "value" without a key), joined by ", ":
    //   poll:      ([{fd=3, revents=POLLIN}])
    //   pselect6:  (out [4], left {tv_sec=4, tv_nsec=999996725})
    //   fcntl:     (flags O_RDWR|O_NONBLOCK)   with ret_format Hex
    NodeId ret_aux = kNoNode;

    // A Struct attached to nothing, for ret_aux.
    NodeId add_detached_struct();

    // -P: descriptors the call names that strace does not print (poll's
    // array past -s) but matches against -P all the same. A detached
    // Struct of fd nodes, or kNoNode; never printed.
    NodeId unshown_fds = kNoNode;

    // --- the -e read=/write= dump (IoDumpPart) ---
    // Unlike the arena it grows, as long as the data dumped: asked for by
    // name, it costs only then, and its capacity is kept for the next call.
    void add_dump_header(IoDumpPart::Kind kind, std::uint32_t index, std::uint64_t length);
    // Begins a Data part of `length` bytes at `addr`; dump_room and
    // commit_dump_data then add its bytes, a prefix at a time.
    void begin_dump_data(std::uint64_t addr, std::uint64_t length);
    // Room for `n` more bytes of the Data part begun last; commit says how
    // many of them were filled.
    std::span<char> dump_room(std::size_t n);
    void commit_dump_data(std::size_t n);
    // Drops the parts from `count` on (a dump that turned out unreadable).
    void truncate_dump(std::size_t count);
    std::span<const IoDumpPart> dump() const { return dump_parts_; }
    std::string_view dump_bytes(const IoDumpPart& part) const {
        return {dump_bytes_.data() + part.offset, part.readable};
    }

    // --- reading, whichever dialect built the tree ---
    // A live decoder builds typed nodes (Enum and Flags with their tables,
    // numbers); a log reader builds numbers and strace's spellings as Text
    // ("O_RDWR|O_CLOEXEC", "SIGUSR1"). These answer the same for both.

    // The children of a node, in order: `for (NodeId c : tree.children(id))`.
    class Children {
    public:
        class Iterator {
        public:
            NodeId operator*() const { return at_; }
            Iterator& operator++() {
                at_ = tree_->node(at_).next;
                return *this;
            }
            bool operator==(const Iterator& other) const { return at_ == other.at_; }

        private:
            friend class Children;
            Iterator(const ArgTree* tree, NodeId at) : tree_(tree), at_(at) {}
            const ArgTree* tree_;
            NodeId at_;
        };
        Iterator begin() const { return {tree_, first_}; }
        Iterator end() const { return {tree_, kNoNode}; }

    private:
        friend class ArgTree;
        Children(const ArgTree* tree, NodeId first) : tree_(tree), first_(first) {}
        const ArgTree* tree_;
        NodeId first_;
    };
    Children children(NodeId id) const {
        return {this, id == kNoNode ? kNoNode : nodes_[id].first_child};
    }
    std::size_t child_count(NodeId id) const;
    // The index-th child of a node, or kNoNode.
    NodeId child(NodeId id, std::size_t index) const;
    // The syscall's index-th argument, or kNoNode.
    NodeId arg(std::size_t index) const { return child(root(), index); }
    // The member `key` of a Struct, or kNoNode.
    NodeId member(NodeId id, std::string_view key) const;

    // The integer a node stands for: a number, Enum or Flags node's value,
    // a Text that is a number (decimal, or hex with "0x": a log's
    // spelling of the same value), or a symbolic Text's raw child's value.
    // nullopt for names, strings and aggregates.
    std::optional<std::int64_t> int_value(NodeId id) const;
    // A number as a log spells it: decimal (maybe negative) or "0x" hex.
    static std::optional<std::int64_t> text_int(std::string_view text);

    // The name a node gives its value: an Enum's by its table, a Flags
    // node's enumeration part (open's O_RDWR), a Text as written. Empty
    // for anything else.
    std::string_view name(NodeId id) const;

    // Whether a flag is set: on a Flags node by its table's value for
    // `flag` (or its enumeration part's name), on an Enum by its name, on a
    // Text by one of its '|'-separated tokens ("SOCK_STREAM|SOCK_CLOEXEC").
    bool has_flag(NodeId id, std::string_view flag) const;

private:
    // Copies a tree's used part in and out whole (model/packed_arg_trees.h).
    friend class PackedArgTrees;

    std::array<ArgNode, kMaxNodes> nodes_;
    std::array<char, kMaxBytes> bytes_;
    std::size_t used_nodes_ = 0;
    std::size_t used_bytes_ = 0;
    bool overflowed_ = false;
    std::vector<IoDumpPart> dump_parts_;
    std::vector<char> dump_bytes_;
};

}  // namespace sctrace
