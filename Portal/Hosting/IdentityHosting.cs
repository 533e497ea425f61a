using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Components.Account;
using Portal.Core.Hosting;
using Portal.Data;
using Portal.Email;
using Portal.Identity;

namespace Portal.Hosting;

/// <summary>Accounts, roles, password policy, cookies for the UI and bearer tokens for the API.</summary>
public static class IdentityHosting
{
    /// <summary>Cookie for browsers, bearer token when the request carries one.</summary>
    public const string PortalScheme = "Portal";

    public static IHostApplicationBuilder AddPortalIdentity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPortalDatabase();

        var migrationsAssembly = typeof(PortalIdentityDbContext).Assembly.GetName().Name!;
        services.AddDbContext<SqlitePortalIdentityDbContext>((provider, options) =>
            provider.GetRequiredService<PortalDatabase>().Configure(options, migrationsAssembly, PortalIdentityDbContext.MigrationsHistoryTable));
        services.AddDbContext<PostgresPortalIdentityDbContext>((provider, options) =>
            provider.GetRequiredService<PortalDatabase>().Configure(options, migrationsAssembly, PortalIdentityDbContext.MigrationsHistoryTable));
        services.AddScoped<PortalIdentityDbContext>(provider => provider.GetRequiredService<PortalDatabase>().Provider switch
        {
            DatabaseProvider.PostgreSql => provider.GetRequiredService<PostgresPortalIdentityDbContext>(),
            _ => provider.GetRequiredService<SqlitePortalIdentityDbContext>(),
        });

        services.AddIdentityApiEndpoints<PortalUser>(options =>
            {
                PasswordPolicy.Apply(options.Password);
                options.User.RequireUniqueEmail = true;
                // Nobody is signed in by registering an address: the owner of the mailbox confirms it first.
                options.SignIn.RequireConfirmedAccount = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<PortalIdentityDbContext>()
            .AddPasswordValidator<MaxLengthPasswordValidator>()
            .AddPasswordValidator<CommonPasswordValidator>();
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = PasswordPolicy.HashIterations);
        // After the bearer handler's own post-configuration has created the token format.
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).PostConfigure<IOptions<SecurityOptions>>((options, security) =>
        {
            options.BearerTokenProtector = new RememberedBearerTickets(options.BearerTokenProtector);
            options.RefreshTokenExpiration = TimeSpan.FromHours(security.Value.RefreshTokenHours);
        });
        services.AddScoped<PortalAccounts>();
        services.AddScoped<PortalSignIn>();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<PortalMail>();
        services.AddSingleton<IEmailSender<PortalUser>>(provider => provider.GetRequiredService<PortalMail>());
        services.AddSingleton<AccountLinks>();
        services.AddScoped<RefreshTokenLedger>();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "ride-portal.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            // Secure over https; the embedded run may be plain http on localhost.
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/account/login";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });

        // AddIdentityApiEndpoints makes bearer-or-cookie the default and challenges with 401 everywhere;
        // pages want a login redirect, so a policy scheme picks per request.
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = PortalScheme;
                options.DefaultAuthenticateScheme = PortalScheme;
                options.DefaultChallengeScheme = PortalScheme;
                options.DefaultForbidScheme = PortalScheme;
            })
            .AddPolicyScheme(PortalScheme, "Cookie or bearer token", policy =>
                policy.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? IdentityConstants.BearerScheme
                        : IdentityConstants.ApplicationScheme);

        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.RiderOnly, policy => policy.RequireRole(PortalRoles.Rider))
            .AddPolicy(PortalPolicies.AdminOnly, policy => policy.RequireRole(PortalRoles.Admin))
            .AddPolicy(PortalPolicies.RnDOrAdmin, policy => policy.RequireRole(PortalRoles.RnD, PortalRoles.Admin))
            .AddPolicy(PortalPolicies.TechnicianOrAdmin, policy => policy.RequireRole(PortalRoles.Technician, PortalRoles.Admin));

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        return builder;
    }

    /// <summary>POST /account/logout: the layout's logout button (a form, so it carries an antiforgery token).</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async (HttpContext context, SignInManager<PortalUser> signIn, UserManager<PortalUser> users, SessionRevocation sessions, IAntiforgery antiforgery) =>
            {
                await antiforgery.ValidateRequestAsync(context);
                // A copy of the cookie kept elsewhere must not outlive the sign-out: the stamp it carries is renewed.
                if (await users.GetUserAsync(context.User) is { } user)
                {
                    await sessions.EndAllSessionsAsync(users, user);
                }

                await signIn.SignOutAsync();
                return TypedResults.LocalRedirect("~/account/login");
            })
            .ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>API and dashboard callers get a status code; browsers on pages get the login or access-denied page.</summary>
    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || (status == StatusCodes.Status403Forbidden && path.StartsWithSegments("/hangfire")))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
