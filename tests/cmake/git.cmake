# test_git_bare checks src/git/ against the git command itself, which it runs with src/exec/.
foreach(t test_git_bare)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE rn_exec)
  endif()
endforeach()
