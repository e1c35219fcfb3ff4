# Generates the syscall tables (a C++ header of constexpr arrays) from the data
# files in this folder. Run at build time by decoders/CMakeLists.txt as
#
#   cmake -DX86_64_IN=... -DI386_IN=... -DX32_IN=... -DOUTPUT=... -P gen_syscall_table.cmake
#
# Written in CMake rather than Python so the build needs nothing beyond CMake
# and a compiler. The input format is described at the top of each .in file;
# every line is checked here, so a typo in the data fails the build with the
# file and line instead of producing a silently wrong table.

cmake_minimum_required(VERSION 3.25)

foreach(var X86_64_IN I386_IN X32_IN OUTPUT)
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

# Reads one "NR NAME NARGS CLASSES" table. Sets, in the caller's scope:
#   <prefix>_size        highest number + 1
#   <prefix>_entries     the C++ initialiser rows, one per number (holes included)
#   <prefix>_by_name     the numbers, sorted by name (for binary search)
#   <prefix>_nr_<name>   the number of each name
#   <prefix>_name_<nr>   the name of each number
function(read_table path prefix)
    file(STRINGS "${path}" lines)
    set(line_no 0)
    set(next_nr 0)
    set(entries "")
    set(name_keys "")
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
        list(APPEND entries "    /* ${nr} */ {\"${name}\", ${nargs}, ${bits}},")
        # A space sorts before every character a name can hold, so sorting
        # "name nr" sorts by name exactly as std::string_view compares them.
        list(APPEND name_keys "${name} ${nr}")
        set(${prefix}_nr_${name} "${nr}" PARENT_SCOPE)
        set(${prefix}_nr_${name} "${nr}")
        set(${prefix}_name_${nr} "${name}" PARENT_SCOPE)
        math(EXPR next_nr "${nr} + 1")
    endforeach()
    if(next_nr EQUAL 0)
        message(FATAL_ERROR "${path}: no syscalls")
    endif()
    list(SORT name_keys COMPARE STRING)
    set(by_name "")
    foreach(key IN LISTS name_keys)
        string(REGEX REPLACE "^.* " "" nr "${key}")
        list(APPEND by_name "${nr}")
    endforeach()
    list(JOIN entries "\n" entries)
    list(JOIN by_name ", " by_name)
    set(${prefix}_size "${next_nr}" PARENT_SCOPE)
    set(${prefix}_entries "${entries}" PARENT_SCOPE)
    set(${prefix}_by_name "${by_name}" PARENT_SCOPE)
endfunction()

read_table("${X86_64_IN}" x86_64)
read_table("${I386_IN}" i386)

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

set(content "// Generated by model/gen_syscall_table.cmake from ${x86_64_file},
// ${i386_file} and ${x32_file}. Do not edit: edit the .in files.
#pragma once

#include <cstdint>

#include \"model/syscall_table.h\"

namespace sctrace::syscall_data {

// Indexed by syscall number; a hole is an entry with an empty name.
inline constexpr SyscallInfo kX86_64[] = {
${x86_64_entries}
};
static_assert(sizeof(kX86_64) / sizeof(kX86_64[0]) == ${x86_64_size});

// The numbers of kX86_64, sorted by name.
inline constexpr std::uint16_t kX86_64ByName[] = {${x86_64_by_name}};

inline constexpr SyscallInfo kI386[] = {
${i386_entries}
};
static_assert(sizeof(kI386) / sizeof(kI386[0]) == ${i386_size});

// The numbers of kI386, sorted by name.
inline constexpr std::uint16_t kI386ByName[] = {${i386_by_name}};

// x32 numbers kX32CompatFirst... have their own entry points; each maps to
// the x86_64 number of the same name.
inline constexpr int kX32CompatFirst = ${x32_first};
inline constexpr std::uint16_t kX32Compat[] = {${x32_compat}};

// kX86_64 number -> kI386 number of the same name, or -1.
inline constexpr std::int16_t kX86_64ToI386[] = {${native_to_i386}};

}  // namespace sctrace::syscall_data
")

file(WRITE "${OUTPUT}" "${content}")
