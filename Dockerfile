# One image for both roles: the portal (default) and the worker host (`dotnet Portal.Jobs.dll`).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Portal/Portal.csproj -c Release -o /app/portal \
 && dotnet publish Portal.Jobs/Portal.Jobs.csproj -c Release -o /app/jobs

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Fonts for the server-rendered charts (ScottPlot reads /usr/share/fonts).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/portal ./portal
COPY --from=build /app/jobs ./jobs
ENV ASPNETCORE_URLS=http://+:8080
# Hot methods are recompiled optimised as soon as they are counted hot, without waiting for a 100 ms pause in
# start-up JIT activity: the first ride after a start is analysed at full speed (docs/pipeline.md).
ENV DOTNET_TC_CallCountingDelayMs=0
EXPOSE 8080
WORKDIR /app/portal
ENTRYPOINT ["dotnet", "Portal.dll"]
