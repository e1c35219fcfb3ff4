# Runs a libFuzzer binary for SECONDS on a working copy of the seed corpus
# (so the tree's seeds are never modified), failing on any finding: a crash,
# a leak, a timeout, running out of memory, and any sanitizer report, also
# one a build that recovers from undefined behaviour would only print.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(GLOB seeds ${SEEDS}/*)
if(seeds)
    file(COPY ${seeds} DESTINATION ${WORK})
endif()
set(log ${WORK}.log)
execute_process(
    COMMAND ${CMAKE_COMMAND} -E env
            UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
            ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
            ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
            -max_len=65536 -print_final_stats=1 ${WORK}
    WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out
    RESULT_VARIABLE rc)
file(WRITE ${log} "${out}")
# The last lines say what happened (libFuzzer's final stats or the report).
string(LENGTH "${out}" length)
if(length GREATER 6000)
    math(EXPR from "${length} - 6000")
    string(SUBSTRING "${out}" ${from} -1 tail)
else()
    set(tail "${out}")
endif()
message("${tail}")
set(report "")
foreach(pattern "runtime error:" "ERROR: AddressSanitizer" "ERROR: LeakSanitizer"
        "ERROR: UndefinedBehaviorSanitizer" "ERROR: libFuzzer" "SUMMARY: ")
    string(FIND "${out}" "${pattern}" at)
    if(NOT at EQUAL -1)
        set(report ", reported \"${pattern}\"")
        break()
    endif()
endforeach()
if(NOT rc EQUAL 0 OR report)
    message(FATAL_ERROR "${FUZZER} found a problem (exit ${rc}${report}); its output is in "
                        "${log}, the reproducer (crash-*, leak-*, timeout-*) in ${WORK}")
endif()
