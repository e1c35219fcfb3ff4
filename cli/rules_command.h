#pragma once

namespace sctrace {

// `sctrace rules list|check|explain|fields ...`; argv[0] is "rules".
int rules_main(int argc, char** argv);

}  // namespace sctrace
