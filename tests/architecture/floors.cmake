# Checks that no source file includes a header from a floor above its own.
#
#   cmake -DSOURCE_DIR=... -P floors.cmake
#
# The floors, lowest first; a folder may include itself and what it lists.
# cli/ stands on everything and is not checked. A newcomer reads the tree top
# to bottom only if this holds, so a violation fails the build's tests with
# the file, the line and the include.
if(NOT SOURCE_DIR)
    message(FATAL_ERROR "floors.cmake: -DSOURCE_DIR=... is required")
endif()

set(allowed_base           base)
set(allowed_model          base model)
set(allowed_decoders       base model decoders)
set(allowed_sources/live   base model decoders sources/live)
set(allowed_sources/strace base model sources/strace)
set(allowed_sources/jsonl  base model sources/jsonl)
set(allowed_sources/logs   base model sources/strace sources/jsonl sources/logs)
set(allowed_engine         base model engine)
set(allowed_report         base model report)
set(floors base model decoders sources/live sources/strace sources/jsonl sources/logs engine report)
# Every folder that holds sctrace headers, so an include is matched against
# its floor by the longest prefix (sources/live before sources).
set(known base model decoders sources/live sources/strace sources/jsonl sources/logs engine report cli)

# Includes that still cross a floor, each until the code it needs moves down
# to the model (issue 12 is open on both). A new crossing fails; so does one
# of these once it is gone, so the list cannot go stale.
set(known_crossings
    # JSONL events carry their arguments in strace's notation, parsed by the
    # strace reader's argument parser.
    "sources/jsonl/jsonl_events.cpp>sources/strace/strace_line.h"
    # The "--- SIGSEGV {...} ---" siginfo is built by the decoders' siginfo
    # shape, shared with waitid and rt_sigqueueinfo.
    "report/strace_siginfo.cpp>decoders/signal_shapes.h")
set(seen_crossings "")

set(violations "")
foreach(floor ${floors})
    file(GLOB_RECURSE files ${SOURCE_DIR}/${floor}/*.h ${SOURCE_DIR}/${floor}/*.cpp)
    foreach(file ${files})
        file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
        foreach(line ${lines})
            string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" header "${line}")
            set(target "")
            foreach(candidate ${known})
                string(LENGTH "${candidate}/" length)
                string(SUBSTRING "${header}" 0 ${length} prefix)
                if(prefix STREQUAL "${candidate}/")
                    set(target ${candidate})
                endif()
            endforeach()
            if(target STREQUAL "")
                continue()  # a system header or a generated one beside its user
            endif()
            list(FIND allowed_${floor} ${target} at)
            if(at EQUAL -1)
                file(RELATIVE_PATH shown ${SOURCE_DIR} ${file})
                list(FIND known_crossings "${shown}>${header}" crossing_at)
                if(NOT crossing_at EQUAL -1)
                    list(APPEND seen_crossings "${shown}>${header}")
                    continue()
                endif()
                string(APPEND violations "  ${shown}: #include \"${header}\" (${floor}/ may include only: ${allowed_${floor}})\n")
            endif()
        endforeach()
    endforeach()
endforeach()

foreach(crossing ${known_crossings})
    list(FIND seen_crossings "${crossing}" at)
    if(at EQUAL -1)
        string(APPEND violations "  ${crossing}: gone; remove it from known_crossings\n")
    endif()
endforeach()

if(violations)
    message(FATAL_ERROR "includes that run from a lower floor to a higher one:\n${violations}")
endif()
message(STATUS "every include runs to the same floor or one below it")
