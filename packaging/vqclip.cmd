@echo off
rem vqclip launcher for Windows: runs the command line (or, with no command, the studio) from this
rem checkout's build. Build first: mvn -B -q package -DskipTests
java %VQCLIP_JAVA_OPTS% -jar "%~dp0..\target\vqclip.jar" %*
