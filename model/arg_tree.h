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
};

struct ArgNode {
    ArgKind kind = ArgKind::Int;
    bool truncated = false;  // Str: more bytes followed; Struct/Array: more members followed
    bool enum_hex = false;   // Enum fallback for unknown values: hex instead of decimal
    bool spaced = false;     // Array: members separated by ' ' (fd sets, sigsets: [3 4])
    bool inverted = false;   // Array: printed as ~[...] (a sigset's complement)
    bool fd = false;         // Int: a file descriptor (-y decorates it, -P matches it);
                             // Enum: AT_FDCWD, whose -y decoration is the working directory
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
    // Str bytes; Text; an fd number's -y decoration; Flags: how bits no
    // entry names are labelled when none is named at all ("SOCK_???").
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

class ArgTree {
public:
    static constexpr std::size_t kMaxNodes = 512;
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
    // Extra decoding of the result, printed in parentheses after it: a
    // Struct made with add_detached_struct() whose members print as
    // "key value" (or just "value" without a key), joined by ", ":
    //   poll:      ([{fd=3, revents=POLLIN}])
    //   pselect6:  (out [4], left {tv_sec=4, tv_nsec=999996725})
    //   fcntl:     (flags O_RDWR|O_NONBLOCK)   with ret_format Hex
    NodeId ret_aux = kNoNode;

    // A Struct attached to nothing, for ret_aux.
    NodeId add_detached_struct();

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
    // or a Text that is a number (decimal, or hex with "0x": a log's
    // spelling of the same value). nullopt for names, strings and aggregates.
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
    std::array<ArgNode, kMaxNodes> nodes_;
    std::array<char, kMaxBytes> bytes_;
    std::size_t used_nodes_ = 0;
    std::size_t used_bytes_ = 0;
    bool overflowed_ = false;
};

}  // namespace sctrace
