"""What `grader validate` proves about an assignment beyond "its specs load": the code the specs
name exists and prints what they say (static), every known mistake loses points and is named
(mistakes), and nothing a student receives holds an answer (leaks)."""
