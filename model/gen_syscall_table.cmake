# Generates the syscall tables (a C++ header of constexpr arrays) and the
# SyscallKind enum (a header of its own, for model/syscall_table.h) from the
# data files in this folder. Run at build time by model/CMakeLists.txt as
#
#   cmake -DX86_64_IN=... -DI386_IN=... -DX32_IN=... -DTRAITS_IN=... \
#         -DOUTPUT=... -DKIND_OUTPUT=... -P gen_syscall_table.cmake
#
# Written in CMake rather than Python so the build needs nothing beyond CMake
# and a compiler. The input format is described at the top of each .in file;
# every line is checked here, so a typo in the data fails the build with the
# file and line instead of producing a silently wrong table.

cmake_minimum_required(VERSION 3.25)

foreach(var X86_64_IN I386_IN X32_IN TRAITS_IN OUTPUT KIND_OUTPUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "gen_syscall_table.cmake: -D${var}=... is required")
    endif()
endforeach()

# .in class names -> SyscallClass enumerators (model/syscall_table.h).
set(class_file kClassFile)
set(class_desc kClassDesc)
set(class_net kClassNet)
set(class_process kClassProcess)
set(class_signal kClassSignal)
set(class_ipc kClassIpc)
set(class_memory kClassMemory)
set(class_creds kClassCreds)
set(class_clock kClassClock)
set(class_stat kClassStat)
set(class_lstat kClassLstat)
set(class_fstat kClassFstat)
set(class_stat_like kClassStatLike)
set(class_statfs kClassStatfs)
set(class_fstatfs kClassFstatfs)
set(class_statfs_like kClassStatfsLike)
set(class_pure kClassPure)

# syscall_traits.in words -> SyscallTrait enumerators, in bit order.
set(trait_words reads writes reads_at writes_at polls creates_fd closes_fd dups_fd spawns execs
    exits tracked ring_tracked)
set(trait_reads kTraitReads)
set(trait_writes kTraitWrites)
set(trait_reads_at kTraitReadsAt)
set(trait_writes_at kTraitWritesAt)
set(trait_polls kTraitPolls)
set(trait_creates_fd kTraitCreatesFd)
set(trait_closes_fd kTraitClosesFd)
set(trait_dups_fd kTraitDupsFd)
set(trait_spawns kTraitSpawns)
set(trait_execs kTraitExecs)
set(trait_exits kTraitExits)
set(trait_tracked kTraitTracked)
set(trait_ring_tracked kTraitRingTracked)

# snake_case -> CamelCase: a kind's C++ enumerator.
function(camel_case out name)
    string(REPLACE "_" ";" parts "${name}")
    set(result "")
    foreach(part IN LISTS parts)
        string(SUBSTRING "${part}" 0 1 head)
        string(TOUPPER "${head}" head)
        string(SUBSTRING "${part}" 1 -1 tail)
        string(APPEND result "${head}${tail}")
    endforeach()
    set(${out} "${result}" PARENT_SCOPE)
endfunction()

# Reads syscall_traits.in ("NAME ITEM..."). Sets traits_<name> to the C++
# SyscallTraits initialiser of each name, traits_names to the names and
# kinds to the kind enumerators in order of first use.
file(STRINGS "${TRAITS_IN}" lines)
set(line_no 0)
set(traits_names "")
set(kinds "")
foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    if(line MATCHES "^[ \t]*(#.*)?$")
        continue()
    endif()
    string(REGEX REPLACE "[ \t]+" ";" items "${line}")
    list(POP_FRONT items name)
    if(NOT name MATCHES "^[a-z0-9_]+$")
        message(FATAL_ERROR "${TRAITS_IN}:${line_no}: expected \"NAME ITEM...\": ${line}")
    endif()
    if(DEFINED traits_${name})
        message(FATAL_ERROR "${TRAITS_IN}:${line_no}: name '${name}' appears twice")
    endif()
    set(bits "")
    set(fd -1)
    set(path -1)
    set(addr -1)
    set(kind Other)
    set(io_shape None)
    set(io_written false)
    set(tracked_if_arg -1)
    set(tracked_if_values "")
    set(tracked_if_count 0)
    foreach(item IN LISTS items)
        if(item MATCHES "^(fd|path|addr)=([0-5])$")
            set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
        elseif(item MATCHES "^tracked_if=([0-5]):([0-9]+(\\|[0-9]+)?(\\|[0-9]+)?(\\|[0-9]+)?)$")
            set(tracked_if_arg "${CMAKE_MATCH_1}")
            string(REPLACE "|" ";" tracked_if_list "${CMAKE_MATCH_2}")
            list(LENGTH tracked_if_list tracked_if_count)
            list(JOIN tracked_if_list ", " tracked_if_values)
        elseif(item MATCHES "^dumps_(read|written)=(buffer|iov|msghdr|mmsghdr)$")
            camel_case(io_shape "${CMAKE_MATCH_2}")
            if(CMAKE_MATCH_1 STREQUAL "written")
                set(io_written true)
            endif()
        elseif(item MATCHES "^kind=([a-z0-9_]+)$")
            camel_case(kind "${CMAKE_MATCH_1}")
            if(NOT kind IN_LIST kinds)
                list(APPEND kinds "${kind}")
            endif()
        elseif(DEFINED trait_${item})
            list(APPEND bits "${trait_${item}}")
        else()
            message(FATAL_ERROR "${TRAITS_IN}:${line_no}: unknown item '${item}'")
        endif()
    endforeach()
    if(bits STREQUAL "")
        set(bits "0")
    endif()
    list(JOIN bits " | " bits)
    if(NOT tracked_if_arg EQUAL -1 AND NOT "tracked" IN_LIST items)
        message(FATAL_ERROR "${TRAITS_IN}:${line_no}: tracked_if= without tracked")
    endif()
    set(traits_${name}
        "{${bits}, ${fd}, ${path}, ${addr}, SyscallKind::${kind}, IoShape::${io_shape}, ${io_written}, ${tracked_if_arg}, ${tracked_if_count}, {${tracked_if_values}}}")
    list(APPEND traits_names "${name}")
endforeach()

# Reads one "NR NAME NARGS CLASSES" table. Sets, in the caller's scope:
#   <prefix>_size        highest number + 1
#   <prefix>_entries     the C++ initialiser rows, one per number (holes included)
#   <prefix>_nr_<name>   the number of each name
#   <prefix>_name_<nr>   the name of each number
function(read_table path prefix)
    file(STRINGS "${path}" lines)
    set(line_no 0)
    set(next_nr 0)
    set(entries "")
    foreach(line IN LISTS lines)
        math(EXPR line_no "${line_no} + 1")
        if(line MATCHES "^[ \t]*(#.*)?$")
            continue()
        endif()
        if(NOT line MATCHES "^([0-9]+)[ \t]+([a-z0-9_]+)[ \t]+([0-6])[ \t]+([a-z_,]+|-)[ \t]*$")
            message(FATAL_ERROR "${path}:${line_no}: expected \"NR NAME NARGS CLASSES\": ${line}")
        endif()
        set(nr "${CMAKE_MATCH_1}")
        set(name "${CMAKE_MATCH_2}")
        set(nargs "${CMAKE_MATCH_3}")
        set(classes "${CMAKE_MATCH_4}")
        if(nr LESS next_nr)
            message(FATAL_ERROR "${path}:${line_no}: number ${nr} is not above the previous one")
        endif()
        if(DEFINED ${prefix}_nr_${name})
            message(FATAL_ERROR "${path}:${line_no}: name '${name}' appears twice")
        endif()
        # Holes in the numbering become empty entries, so the array stays
        # indexable by number.
        while(next_nr LESS nr)
            list(APPEND entries "    /* ${next_nr} */ {},")
            math(EXPR next_nr "${next_nr} + 1")
        endwhile()
        set(bits "")
        if(NOT classes STREQUAL "-")
            string(REPLACE "," ";" class_list "${classes}")
            foreach(class IN LISTS class_list)
                if(NOT DEFINED class_${class})
                    message(FATAL_ERROR "${path}:${line_no}: unknown class '${class}'")
                endif()
                list(APPEND bits "${class_${class}}")
            endforeach()
        endif()
        if(bits STREQUAL "")
            set(bits "0")
        endif()
        list(JOIN bits " | " bits)
        set(traits "{}")
        if(DEFINED traits_${name})
            set(traits "${traits_${name}}")
        endif()
        list(APPEND entries "    /* ${nr} */ {\"${name}\", ${nargs}, ${bits}, ${traits}},")
        set(${prefix}_nr_${name} "${nr}" PARENT_SCOPE)
        set(${prefix}_nr_${name} "${nr}")
        set(${prefix}_name_${nr} "${name}" PARENT_SCOPE)
        math(EXPR next_nr "${nr} + 1")
    endforeach()
    if(next_nr EQUAL 0)
        message(FATAL_ERROR "${path}: no syscalls")
    endif()
    list(JOIN entries "\n" entries)
    set(${prefix}_size "${next_nr}" PARENT_SCOPE)
    set(${prefix}_entries "${entries}" PARENT_SCOPE)
endfunction()

read_table("${X86_64_IN}" x86_64)
read_table("${I386_IN}" i386)

# A traits line for a name no table has is a typo.
foreach(name IN LISTS traits_names)
    if(NOT DEFINED x86_64_nr_${name} AND NOT DEFINED i386_nr_${name})
        message(FATAL_ERROR "${TRAITS_IN}: '${name}' is in neither ${X86_64_IN} nor ${I386_IN}")
    endif()
endforeach()

# x32-specific numbers -> the x86_64 syscall of the same name.
file(STRINGS "${X32_IN}" lines)
set(line_no 0)
set(x32_first "")
set(x32_compat "")
foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    if(line MATCHES "^[ \t]*(#.*)?$")
        continue()
    endif()
    if(NOT line MATCHES "^([0-9]+)[ \t]+([a-z0-9_]+)[ \t]*$")
        message(FATAL_ERROR "${X32_IN}:${line_no}: expected \"NR NAME\": ${line}")
    endif()
    set(nr "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    if(x32_first STREQUAL "")
        set(x32_first "${nr}")
        set(x32_next "${nr}")
    endif()
    if(NOT nr EQUAL x32_next)
        message(FATAL_ERROR "${X32_IN}:${line_no}: numbers must be consecutive (expected ${x32_next})")
    endif()
    if(NOT DEFINED x86_64_nr_${name})
        message(FATAL_ERROR "${X32_IN}:${line_no}: '${name}' is not in ${X86_64_IN}")
    endif()
    list(APPEND x32_compat "${x86_64_nr_${name}}")
    math(EXPR x32_next "${nr} + 1")
endforeach()
list(JOIN x32_compat ", " x32_compat)

# x86_64 number -> i386 number of the same name (-1: none), so that a set
# built from native numbers also covers 32-bit tracees.
set(native_to_i386 "")
set(nr 0)
while(nr LESS x86_64_size)
    set(value -1)
    if(DEFINED x86_64_name_${nr} AND DEFINED i386_nr_${x86_64_name_${nr}})
        set(value "${i386_nr_${x86_64_name_${nr}}}")
    endif()
    list(APPEND native_to_i386 "${value}")
    math(EXPR nr "${nr} + 1")
endwhile()
list(JOIN native_to_i386 ", " native_to_i386)

cmake_path(GET X86_64_IN FILENAME x86_64_file)
cmake_path(GET I386_IN FILENAME i386_file)
cmake_path(GET X32_IN FILENAME x32_file)
cmake_path(GET TRAITS_IN FILENAME traits_file)

set(trait_word_entries "")
foreach(word IN LISTS trait_words)
    list(APPEND trait_word_entries "    {\"${word}\", ${trait_${word}}},")
endforeach()
list(JOIN trait_word_entries "\n" trait_word_entries)

set(kind_entries "")
foreach(kind IN LISTS kinds)
    list(APPEND kind_entries "    ${kind},")
endforeach()
list(JOIN kind_entries "\n" kind_entries)

set(content "// Generated by model/gen_syscall_table.cmake from ${x86_64_file},
// ${i386_file}, ${x32_file} and ${traits_file}. Do not edit: edit the .in
// files.
#pragma once

#include <cstdint>
#include <string_view>

#include \"model/syscall_table.h\"

namespace sctrace::syscall_data {

// Indexed by syscall number; a hole is an entry with an empty name.
inline constexpr SyscallInfo kX86_64[] = {
${x86_64_entries}
};
static_assert(sizeof(kX86_64) / sizeof(kX86_64[0]) == ${x86_64_size});

inline constexpr SyscallInfo kI386[] = {
${i386_entries}
};
static_assert(sizeof(kI386) / sizeof(kI386[0]) == ${i386_size});

// x32 numbers kX32CompatFirst... have their own entry points; each maps to
// the x86_64 number of the same name.
inline constexpr int kX32CompatFirst = ${x32_first};
inline constexpr std::uint16_t kX32Compat[] = {${x32_compat}};

// kX86_64 number -> kI386 number of the same name, or -1.
inline constexpr std::int16_t kX86_64ToI386[] = {${native_to_i386}};

// The trait words of ${traits_file}, in bit order.
struct TraitWord {
    std::string_view word;
    std::uint32_t bit;
};
inline constexpr TraitWord kTraitWords[] = {
${trait_word_entries}
};

}  // namespace sctrace::syscall_data
")

file(WRITE "${OUTPUT}" "${content}")

set(kind_content "// Generated by model/gen_syscall_table.cmake from ${traits_file}. Do not
// edit: edit ${traits_file}.
#pragma once

#include <cstdint>

namespace sctrace {

// The identity of a call some part of sctrace treats specially: the kind=
// items of ${traits_file}, in order of first use. Calls that behave alike
// share one (dup and dup2); every other call is Other.
enum class SyscallKind : std::uint8_t {
    Other,
${kind_entries}
};

}  // namespace sctrace
")
# Rewritten only when it changes, so editing a trait recompiles only what
# reads the tables, not everything that includes model/syscall_table.h.
file(CONFIGURE OUTPUT "${KIND_OUTPUT}" CONTENT "${kind_content}" @ONLY)
