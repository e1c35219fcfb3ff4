// Argument trees packed one after another in growable storage: a parse
// thread fills one ArgTree per line, packs its used part here, and the
// thread that turns lines into events loads it back into its own tree.
// An ArgTree is a fixed arena of some 100 KB, so keeping one per line of a
// batch would cost megabytes where a line's tree uses a few hundred bytes.
//
// Views in a packed tree that point into the tree's own arena are moved to
// the arena of the tree loaded into; every other view (into the parsed line,
// into static tables) is kept as it is, so what those point to must outlive
// the loaded tree's use, as it must for the tree that was packed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/arg_tree.h"

namespace sctrace {

class PackedArgTrees {
public:
    // Packs the used part of `tree`; returns its index for load().
    std::size_t add(const ArgTree& tree);
    // Makes `into` what the tree packed as `index` was.
    void load(std::size_t index, ArgTree& into) const;
    std::size_t size() const { return headers_.size(); }
    // Forgets every tree, keeping the storage's capacity.
    void clear();

private:
    struct Header {
        std::uint32_t first_node = 0, node_count = 0;
        std::uint32_t first_byte = 0, byte_count = 0;
        std::uint32_t first_part = 0, part_count = 0;
        std::size_t first_dump_byte = 0, dump_byte_count = 0;
        // Where the packed tree's arena was, to tell its views from others.
        std::uintptr_t arena = 0;
        bool overflowed = false;
        bool entry_complete = false;
        std::uint16_t entry_arg_count = 0;
        RetFormat ret_format = RetFormat::Default;
        FdDecoration ret_decoration = FdDecoration::Path;
        NodeId ret_aux = kNoNode;
        NodeId unshown_fds = kNoNode;
        std::string_view ret_text, ret_pid;
    };
    std::vector<Header> headers_;
    std::vector<ArgNode> nodes_;
    std::vector<char> bytes_;
    std::vector<IoDumpPart> parts_;
    std::vector<char> dump_bytes_;
};

}  // namespace sctrace
