# Checks that no source file includes a header from a floor above its own,
# and that docs/architecture.md, the map of the floors, matches the tree.
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
# The seccomp-notify backend shares the live source's filter, memory reads
# and signal relay.
set(allowed_sources/notify base model decoders sources/live sources/notify)
set(allowed_sources/strace base model sources/strace)
set(allowed_sources/jsonl  base model sources/jsonl)
set(allowed_sources/logs   base model sources/strace sources/jsonl sources/logs)
set(allowed_engine         base model engine)
set(allowed_report         base model report)
set(floors base model decoders sources/live sources/notify sources/strace sources/jsonl sources/logs engine report)
# Every folder that holds sctrace headers, so an include is matched against
# its floor by the longest prefix (sources/live before sources).
set(known base model decoders sources/live sources/notify sources/strace sources/jsonl sources/logs engine report cli)

# Includes allowed to cross a floor while the code they need moves down, one
# "file>header" entry each with the reason above it. Empty now: keep it so.
# A new crossing fails; so does a listed one once it is gone, so the list
# cannot go stale.
set(known_crossings)
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

# The map must match the tree: every floor has its paragraph, and every
# path the map names (a folder, a file, or a module named without its .h/.cpp)
# exists.
file(READ ${SOURCE_DIR}/docs/architecture.md map)
foreach(floor ${known})
    string(FIND "${map}" "${floor}/" at)
    if(at EQUAL -1)
        string(APPEND violations "  docs/architecture.md: says nothing of ${floor}/\n")
    endif()
endforeach()
string(REGEX MATCHALL "(base|model|decoders|sources|engine|report|cli|tests|rules|samples|bench|docs)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*]"
       named "${map}")
list(REMOVE_DUPLICATES named)
foreach(path ${named})
    if(path MATCHES "\\*")
        file(GLOB matches ${SOURCE_DIR}/${path})
        if(NOT matches)
            string(APPEND violations "  docs/architecture.md: names ${path}, which matches nothing\n")
        endif()
    elseif(NOT EXISTS ${SOURCE_DIR}/${path} AND NOT EXISTS ${SOURCE_DIR}/${path}.h
           AND NOT EXISTS ${SOURCE_DIR}/${path}.cpp)
        string(APPEND violations "  docs/architecture.md: names ${path}, which is not in the tree\n")
    endif()
endforeach()

if(violations)
    message(FATAL_ERROR "the floors or their map are wrong:\n${violations}")
endif()
message(STATUS "every include runs to the same floor or one below it, and docs/architecture.md names only what is there")
