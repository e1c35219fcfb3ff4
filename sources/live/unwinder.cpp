#include "sources/live/unwinder.h"

#include <libunwind-ptrace.h>

#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <span>

#include "sources/live/remote_memory.h"

namespace sctrace {

// Tracee memory in a few aligned blocks, each filled by one process_vm_readv:
// libunwind asks for one word at a time, and a frame's words (and an FDE's)
// sit next to each other. Valid for one unwind only: the tracee runs between
// stops and its stack changes.
struct Unwinder::RemoteMemory {
    static constexpr std::uint64_t kBlockSize = 512;  // divides a page: one read never spans two
    static constexpr std::size_t kBlocks = 16;  // stack, .eh_frame_hdr, .eh_frame of a few modules

    struct Block {
        std::uint64_t base = UINT64_MAX;
        std::size_t length = 0;  // readable bytes from base
        std::array<char, kBlockSize> bytes{};
    };

    void reset(pid_t tid) {
        tid_ = tid;
        for (Block& block : blocks_) block.base = UINT64_MAX;
        next_ = 0;
    }

    // False when the word is not readable.
    bool read_word(std::uint64_t addr, unw_word_t& value, std::size_t& block_reads) {
        const std::uint64_t base = addr & ~(kBlockSize - 1);
        const std::uint64_t offset = addr - base;
        if (offset + sizeof value > kBlockSize) {  // unaligned across blocks: rare, read it alone
            char word[sizeof value];
            ++block_reads;
            if (read_remote(tid_, addr, word) != sizeof word) return false;
            std::memcpy(&value, word, sizeof value);
            return true;
        }
        Block* hit = nullptr;
        for (Block& block : blocks_) {
            if (block.base == base) {
                hit = &block;
                break;
            }
        }
        if (!hit) {
            hit = &blocks_[next_];
            next_ = (next_ + 1) % kBlocks;
            hit->base = base;
            ++block_reads;
            hit->length = read_remote(tid_, base, hit->bytes);
        }
        if (offset + sizeof value > hit->length) return false;
        std::memcpy(&value, hit->bytes.data() + offset, sizeof value);
        return true;
    }

private:
    pid_t tid_ = 0;
    std::array<Block, kBlocks> blocks_{};
    std::size_t next_ = 0;
};

namespace {

// The `arg` of our accessors during one unwind. libunwind-ptrace's own
// accessors need their handle (_UPT_create), so ours wrap it.
struct UnwindContext {
    // _UPT_find_proc_info() calls the address space's access_mem with *its*
    // handle as arg, not with ours, so access_mem must tell the two apart.
    // A UPT handle starts with the tid (pid_t) then zero padding, which never
    // equals this tag.
    static constexpr std::uint64_t kTag = 0x73637472616365ULL;  // "sctrace"
    std::uint64_t tag = kTag;
    void* upt = nullptr;
    Unwinder::RemoteMemory* memory = nullptr;
    std::size_t* block_reads = nullptr;
};

UnwindContext* as_context(void* arg) {
    std::uint64_t head;
    std::memcpy(&head, arg, sizeof head);
    return head == UnwindContext::kTag ? static_cast<UnwindContext*>(arg) : nullptr;
}

void* upt_of(void* arg) {
    UnwindContext* ctx = as_context(arg);
    return ctx ? ctx->upt : arg;
}

int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t* pi, int need_unwind_info,
                   void* arg) {
    return _UPT_find_proc_info(as, ip, pi, need_unwind_info, upt_of(arg));
}

void put_unwind_info(unw_addr_space_t as, unw_proc_info_t* pi, void* arg) {
    _UPT_put_unwind_info(as, pi, upt_of(arg));
}

int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t* addr, void* arg) {
    return _UPT_get_dyn_info_list_addr(as, addr, upt_of(arg));
}

int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t* value, int write, void* arg) {
    UnwindContext* ctx = as_context(arg);
    if (!ctx) return _UPT_access_mem(as, addr, value, write, arg);
    if (!write && ctx->memory->read_word(addr, *value, *ctx->block_reads)) return 0;
    // Writes (never made by unwinding), and words process_vm_readv and
    // /proc/PID/mem both refused: PTRACE_PEEKDATA has the last word.
    return _UPT_access_mem(as, addr, value, write, ctx->upt);
}

int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t* value, int write, void* arg) {
    return _UPT_access_reg(as, reg, value, write, upt_of(arg));
}

int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t* value, int write, void* arg) {
    return _UPT_access_fpreg(as, reg, value, write, upt_of(arg));
}

// No resume (we never make the tracee jump) and no get_proc_name (libdwfl
// names the frames).
unw_accessors_t make_accessors() {
    unw_accessors_t acc{};
    acc.find_proc_info = find_proc_info;
    acc.put_unwind_info = put_unwind_info;
    acc.get_dyn_info_list_addr = get_dyn_info_list_addr;
    acc.access_mem = access_mem;
    acc.access_reg = access_reg;
    acc.access_fpreg = access_fpreg;
    acc.resume = nullptr;
    acc.get_proc_name = nullptr;
    return acc;
}

struct UptHandle {
    explicit UptHandle(pid_t tid) : handle(_UPT_create(tid)) {}
    ~UptHandle() {
        if (handle) _UPT_destroy(handle);
    }
    UptHandle(const UptHandle&) = delete;
    UptHandle& operator=(const UptHandle&) = delete;
    void* handle;
};

std::string unwind_error(const char* what, int rc) {
    return std::string(what) + ": " + unw_strerror(rc);
}

}  // namespace

// One libunwind address space per process: its UNW_CACHE_GLOBAL cache maps a
// pc to the register rules found for it, which is only right for one set of
// mappings, and is why a second stack through the same code needs no CFI
// search.
struct Unwinder::AddressSpace {
    explicit AddressSpace(unw_accessors_t* accessors) : space(unw_create_addr_space(accessors, 0)) {
        if (space) unw_set_caching_policy(space, UNW_CACHE_GLOBAL);
    }
    ~AddressSpace() {
        if (space) unw_destroy_addr_space(space);
    }
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;
    unw_addr_space_t space;
};

Unwinder::Unwinder() : memory_(std::make_unique<RemoteMemory>()) {}
Unwinder::~Unwinder() = default;

Unwinder::AddressSpace* Unwinder::address_space(pid_t pid) {
    if (auto it = spaces_.find(pid); it != spaces_.end()) return it->second.get();
    // unw_create_addr_space copies the accessors, so a local is enough.
    unw_accessors_t accessors = make_accessors();
    auto space = std::make_unique<AddressSpace>(&accessors);
    if (!space->space) return nullptr;
    ++stats_.address_spaces_created;
    return spaces_.emplace(pid, std::move(space)).first->second.get();
}

void Unwinder::forget_process(pid_t pid) {
    spaces_.erase(pid);
    symbolizer_.forget_process(pid);
}

UnwinderStats Unwinder::stats() const {
    UnwinderStats stats = stats_;
    stats.symbols = symbolizer_.stats();
    return stats;
}

std::vector<StackFrame> Unwinder::unwind(pid_t pid, pid_t tid, std::size_t max_frames,
                                         std::string* note) {
    std::vector<StackFrame> frames;
    std::string why;
    ++stats_.unwinds;
    try {
        AddressSpace* space = address_space(pid);
        UptHandle upt(tid);
        if (!space || !upt.handle) {
            why = "cannot set up libunwind for this process";
        } else {
            memory_->reset(tid);
            UnwindContext ctx;
            ctx.upt = upt.handle;
            ctx.memory = memory_.get();
            ctx.block_reads = &stats_.memory_block_reads;

            unw_cursor_t cursor;
            if (int rc = unw_init_remote(&cursor, space->space, &ctx); rc < 0) {
                why = unwind_error(
                    "cannot read the thread's registers (not in a ptrace-stop of ours?)", rc);
            } else {
                bool first = true;
                bool after_signal_frame = false;
                unw_word_t last_ip = 0, last_sp = 0;
                for (;;) {
                    if (frames.size() >= max_frames) {
                        frames.resize(max_frames);  // inlined frames may overshoot
                        why = "truncated at " + std::to_string(max_frames) + " frames";
                        break;
                    }
                    unw_word_t ip = 0, sp = 0;
                    if (int rc = unw_get_reg(&cursor, UNW_REG_IP, &ip); rc < 0) {
                        why = unwind_error("cannot read the pc", rc);
                        break;
                    }
                    unw_get_reg(&cursor, UNW_REG_SP, &sp);
                    if (ip == 0) break;  // the outermost frame's "return address"
                    if (!first && ip == last_ip && sp == last_sp) {
                        why = "unwinding stopped: the stack repeats a frame";
                        break;
                    }
                    // The first pc is where the thread stopped; so is the pc
                    // of the frame a signal interrupted (the one after a
                    // signal trampoline). Every other pc is a return address.
                    const bool return_address = !first && !after_signal_frame;
                    symbolizer_.symbolize(pid, ip, return_address, frames);
                    first = false;
                    last_ip = ip;
                    last_sp = sp;
                    after_signal_frame = unw_is_signal_frame(&cursor) > 0;
                    const int step = unw_step(&cursor);
                    if (step == 0) break;
                    if (step < 0) {
                        why = unwind_error("unwinding stopped", step);
                        break;
                    }
                }
            }
        }
    } catch (const std::exception& e) {  // allocation failure: keep what we have
        why = std::string("unwinding failed: ") + e.what();
    }
    if (note) *note = std::move(why);
    return frames;
}

}  // namespace sctrace
