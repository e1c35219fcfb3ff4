#include "decoders/exe_facts.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace sctrace {

namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

class ElfHandle {
public:
    explicit ElfHandle(Elf* elf) : elf_(elf) {}
    ~ElfHandle() {
        if (elf_) elf_end(elf_);
    }
    ElfHandle(const ElfHandle&) = delete;
    ElfHandle& operator=(const ElfHandle&) = delete;
    Elf* get() const { return elf_; }

private:
    Elf* elf_;
};

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// DT_NEEDED entries and the version-requirement names (.gnu.version_r):
// a dynamic glibc program needs libc.so.6 and GLIBC_2.x versions. The
// DT_NEEDED entry is the stronger evidence and wins when both are there.
void scan_dynamic(Elf* elf, ExeFacts& facts) {
    bool needs_libc = false, glibc_versions = false;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr)) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data) continue;
        if (shdr.sh_type == SHT_DYNAMIC && shdr.sh_entsize != 0) {
            const std::size_t n = shdr.sh_size / shdr.sh_entsize;
            for (std::size_t i = 0; i < n; ++i) {
                GElf_Dyn dyn;
                if (!gelf_getdyn(data, static_cast<int>(i), &dyn) || dyn.d_tag != DT_NEEDED) {
                    continue;
                }
                const char* name = elf_strptr(elf, shdr.sh_link, dyn.d_un.d_val);
                if (name && std::string_view(name) == "libc.so.6") needs_libc = true;
            }
        } else if (shdr.sh_type == SHT_GNU_verneed) {
            int offset = 0;
            for (std::size_t i = 0; i < shdr.sh_info && !glibc_versions; ++i) {
                GElf_Verneed need;
                if (!gelf_getverneed(data, offset, &need)) break;
                int aux_offset = offset + static_cast<int>(need.vn_aux);
                for (unsigned j = 0; j < need.vn_cnt; ++j) {
                    GElf_Vernaux aux;
                    if (!gelf_getvernaux(data, aux_offset, &aux)) break;
                    const char* name = elf_strptr(elf, shdr.sh_link, aux.vna_name);
                    if (name && std::string_view(name).starts_with("GLIBC_")) {
                        glibc_versions = true;
                        break;
                    }
                    aux_offset += static_cast<int>(aux.vna_next);
                }
                if (need.vn_next == 0) break;
                offset += static_cast<int>(need.vn_next);
            }
        }
    }
    if (needs_libc || glibc_versions) {
        facts.glibc = true;
        facts.glibc_evidence = needs_libc ? "libc.so.6" : "GLIBC_";
    }
}

// A static glibc program has no dynamic section to ask. glibc's static
// objects put code and data in sections of their own (__libc_freeres_fn,
// __libc_IO_vtables, __libc_atexit ...), which even a minimal program links
// and strip keeps; failing that, the tunables variable name or the version
// banner ("GNU C Library", linked in by programs that print it) in .rodata.
void scan_static(Elf* elf, ExeFacts& facts) {
    std::size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0) return;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr)) continue;
        const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
        if (name && (std::string_view(name) == "__libc_freeres_fn" ||
                     std::string_view(name) == "__libc_IO_vtables" ||
                     std::string_view(name) == "__libc_atexit")) {
            facts.glibc = true;
            facts.glibc_evidence = name;
            return;
        }
    }
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr)) continue;
        if (shdr.sh_type != SHT_PROGBITS || !(shdr.sh_flags & SHF_ALLOC) ||
            (shdr.sh_flags & SHF_EXECINSTR)) {
            continue;
        }
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data || !data->d_buf) continue;
        const std::string_view bytes(static_cast<const char*>(data->d_buf), data->d_size);
        for (const std::string_view mark : {"GLIBC_TUNABLES", "GNU C Library"}) {
            if (contains(bytes, mark)) {
                facts.glibc = true;
                facts.glibc_evidence = mark;
                return;
            }
        }
    }
}

}  // namespace

ExeFacts read_exe_facts(const char* path) {
    ExeFacts facts;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        facts.error = "libelf initialisation failed";
        return facts;
    }
    Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        facts.error = std::string("open: ") + std::strerror(errno);
        return facts;
    }
    ElfHandle elf(elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr));
    if (!elf.get() || elf_kind(elf.get()) != ELF_K_ELF) {
        facts.error = "not an ELF file";
        return facts;
    }
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf.get(), &ehdr)) {
        facts.error = elf_errmsg(-1);
        return facts;
    }
    facts.readable = true;
    facts.is_pie = ehdr.e_type == ET_DYN;
    std::size_t phnum = 0;
    elf_getphdrnum(elf.get(), &phnum);
    bool has_interp = false;
    for (std::size_t i = 0; i < phnum; ++i) {
        GElf_Phdr phdr;
        if (!gelf_getphdr(elf.get(), static_cast<int>(i), &phdr) || phdr.p_type != PT_INTERP) {
            continue;
        }
        has_interp = true;
        std::size_t size = 0;
        const char* image = elf_rawfile(elf.get(), &size);
        if (image && phdr.p_offset < size && phdr.p_filesz > 0) {
            const std::size_t len = std::min<std::size_t>(phdr.p_filesz, size - phdr.p_offset);
            std::string_view interp(image + phdr.p_offset, len);
            if (const auto nul = interp.find('\0'); nul != std::string_view::npos) {
                interp = interp.substr(0, nul);
            }
            facts.interpreter = std::string(interp);
        }
    }
    facts.is_static = !has_interp;
    if (has_interp) {
        scan_dynamic(elf.get(), facts);
        if (!facts.glibc && contains(facts.interpreter, "ld-linux")) {
            facts.glibc = true;
            facts.glibc_evidence = "ld-linux";
        }
    } else {
        scan_static(elf.get(), facts);
    }
    return facts;
}

}  // namespace sctrace
