@echo off
rem vqclip launcher for Windows: runs the command line (or, with no command, the studio) from this
rem checkout's build. Build first: mvn -B -q package -DskipTests
rem VQCLIP_JAVA_OPTS: extra JVM options. An installed app (packaging\installer.sh) has its own vqclip.exe.
rem Written on Linux and not run on Windows by its author; plain cmd (goto, no blocks, so a path with
rem parentheses such as "Program Files (x86)" cannot end a block early).
setlocal
set "JAR=%~dp0..\target\vqclip.jar"
if exist "%JAR%" goto havejar
echo vqclip: "%JAR%" is missing; build it first: mvn -B -q package -DskipTests 1>&2
exit /b 1
:havejar
where java >nul 2>nul
if errorlevel 1 goto nojava
java %VQCLIP_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
:nojava
echo vqclip: no java on the PATH; install a Java 17 or newer runtime 1>&2
exit /b 1
