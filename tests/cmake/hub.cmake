# test_hub runs the embedded file:// hub, which reaches git only through the struct hub_git_ops
# its creator passes. The test passes the runner's own table (runner/hub_git.c over src/git/),
# built in here, rather than a copy of it.
foreach(t test_hub)
  if(TARGET ${t})
    target_sources(${t} PRIVATE ${CMAKE_SOURCE_DIR}/runner/hub_git.c)
    target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/runner)
    target_link_libraries(${t} PRIVATE rn_git)
  endif()
endforeach()
