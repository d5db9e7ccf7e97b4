# test_git_facts checks git.h's repository facts against the git command, which it runs with
# src/exec/.
if(TARGET test_git_facts)
  target_link_libraries(test_git_facts PRIVATE rn_exec)
endif()
