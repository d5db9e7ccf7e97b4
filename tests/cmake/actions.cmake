# test_actions* ask the host's interpreters their version through the built-ins' capture
# callback, which the executor implements with src/exec/; the tests do the same.
foreach(t test_actions)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE rn_exec)
  endif()
endforeach()
