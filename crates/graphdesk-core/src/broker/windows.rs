//! The Windows calls behind the broker traits, thin on purpose: WinRT's Web Account Manager (`WebAuthenticationCoreManager`
//! with the AAD account provider, the account picker parented to GraphDesk's window through
//! `IWebAuthenticationCoreManagerInterop`) filling [`super::wam`]'s plain structs, and SSPI's Negotiate package (the
//! Windows session's Kerberos ticket for `HTTP/{host}`) for Integrated Windows Authentication. Compiled, linted and linked
//! in CI for `x86_64-pc-windows-gnu`; run only on a Windows host.
//!
//! The one module of the core that calls foreign code, so the one that may use `unsafe` (the workspace denies it
//! everywhere else); each block says why it is sound.

#![allow(unsafe_code)]

use windows::Security::Authentication::Web::Core::{
    WebAuthenticationCoreManager, WebTokenRequest, WebTokenRequestPromptType, WebTokenRequestResult,
};
use windows::Security::Credentials::{WebAccount, WebAccountProvider};
use windows::Win32::Foundation::HWND;
use windows::Win32::Security::Authentication::Identity::{
    AcquireCredentialsHandleW, DeleteSecurityContext, FreeContextBuffer, FreeCredentialsHandle,
    GetUserNameExW, ISC_REQ_ALLOCATE_MEMORY, ISC_REQ_MUTUAL_AUTH, InitializeSecurityContextW,
    NameUserPrincipal, SECBUFFER_TOKEN, SECBUFFER_VERSION, SECPKG_CRED_OUTBOUND,
    SECURITY_NATIVE_DREP, SecBuffer, SecBufferDesc,
};
use windows::Win32::Security::Credentials::SecHandle;
use windows::Win32::System::WinRT::IWebAuthenticationCoreManagerInterop;
use windows::Win32::UI::WindowsAndMessaging::GetForegroundWindow;
use windows::core::{HSTRING, IInspectable, Interface, PCWSTR, PWSTR, w};
use windows_collections::{IIterable, IKeyValuePair};
use windows_future::IAsyncOperation;

use super::wam::{
    self, AAD_PROVIDER_ID, WamOutcome, WamPrompt, WamRequest, WamResponse, WamStatus,
};
use super::{Broker, ParentWindow};
use crate::cache::account::Account;
use crate::clock::BoxFuture;
use crate::config::ClientConfig;
use crate::engine::{TokenResult, TokenSource};
use crate::error::{CoreError, WindowsSignInError};
use crate::flows::iwa::{NegotiateContext, WindowsIdentity};
use crate::secret::{AccessToken, SecretBytes};

fn winrt(what: &str) -> impl Fn(windows::core::Error) -> CoreError + '_ {
    move |error| CoreError::Protocol {
        detail: format!(
            "the Windows broker failed to {what} (0x{:08x})",
            error.code().0
        ),
    }
}

/// A web account's properties (`OID`, `TenantId`, `Authority`, …).
type Properties = Vec<(String, String)>;

/// The Web Account Manager for one app registration and authority.
#[derive(Debug)]
pub(super) struct WamBroker {
    authority: String,
    client_id: String,
    environment: String,
}

impl WamBroker {
    pub(super) fn new(config: &ClientConfig) -> Self {
        Self {
            authority: config.authority.as_str().to_owned(),
            client_id: config.client_id.clone(),
            environment: config.authority.environment(),
        }
    }

    fn provider(authority: &str) -> windows::core::Result<WebAccountProvider> {
        WebAuthenticationCoreManager::FindAccountProviderWithAuthorityAsync(
            &HSTRING::from(AAD_PROVIDER_ID),
            &HSTRING::from(authority),
        )?
        .join()
    }

    /// WAM's web accounts for this app, with their properties.
    fn web_accounts(
        provider: &WebAccountProvider,
        client_id: &str,
    ) -> windows::core::Result<Vec<(WebAccount, Properties)>> {
        let found = WebAuthenticationCoreManager::FindAllAccountsWithClientIdAsync(
            provider,
            &HSTRING::from(client_id),
        )?
        .join()?;
        let accounts = found.Accounts()?;
        let mut out = Vec::new();
        for index in 0..accounts.Size()? {
            let account = accounts.GetAt(index)?;
            let properties = pairs(&account.Properties()?)?;
            out.push((account, properties));
        }
        Ok(out)
    }

    /// The web account behind one of GraphDesk's accounts: by `OID.TenantId` (its home account id), as MSAL .NET.
    fn web_account_for(
        provider: &WebAccountProvider,
        client_id: &str,
        account: &Account,
    ) -> Result<WebAccount, CoreError> {
        let accounts =
            Self::web_accounts(provider, client_id).map_err(winrt("list its accounts"))?;
        accounts
            .into_iter()
            .find(|(web, properties)| {
                let property = |name: &str| {
                    properties
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                };
                let id = property("OID")
                    .zip(property("TenantId"))
                    .map(|(o, t)| format!("{o}.{t}"));
                id.is_some_and(|id| id.eq_ignore_ascii_case(&account.home_account_id))
                    || web
                        .UserName()
                        .is_ok_and(|name| name.to_string().eq_ignore_ascii_case(&account.username))
            })
            .map(|(web, _)| web)
            .ok_or_else(|| {
                CoreError::ui_required(crate::error::UiRequired::local(
                    crate::error::UiRequiredReason::NoAccount,
                ))
            })
    }

    fn token_request(
        provider: &WebAccountProvider,
        request: &WamRequest,
    ) -> windows::core::Result<WebTokenRequest> {
        let prompt = match request.prompt {
            WamPrompt::Default => WebTokenRequestPromptType::Default,
            WamPrompt::ForceAuthentication => WebTokenRequestPromptType::ForceAuthentication,
        };
        let token_request = WebTokenRequest::CreateWithPromptType(
            provider,
            &HSTRING::from(request.scope.as_str()),
            &HSTRING::from(request.client_id.as_str()),
            prompt,
        )?;
        let properties = token_request.Properties()?;
        for (name, value) in &request.properties {
            properties.Insert(
                &HSTRING::from(name.as_str()),
                &HSTRING::from(value.as_str()),
            )?;
        }
        Ok(token_request)
    }

    fn finish(&self, outcome: WamOutcome, scopes: &[String]) -> Result<TokenResult, CoreError> {
        let token = wam::map_outcome(outcome, scopes, &self.environment)?;
        Ok(TokenResult {
            access_token: token.access_token,
            expires_on: token.expires_on,
            scopes: token.scopes,
            account: token.account,
            source: TokenSource::Broker,
        })
    }
}

/// A WinRT string map (an `IMap` or an `IMapView`) as pairs.
fn pairs(map: &impl Interface) -> windows::core::Result<Vec<(String, String)>> {
    let iterable: IIterable<IKeyValuePair<HSTRING, HSTRING>> = map.cast()?;
    let mut out = Vec::new();
    let iterator = iterable.First()?;
    while iterator.HasCurrent()? {
        let pair = iterator.Current()?;
        out.push((pair.Key()?.to_string(), pair.Value()?.to_string()));
        iterator.MoveNext()?;
    }
    Ok(out)
}

/// A `WebTokenRequestResult` as [`WamOutcome`].
fn outcome(result: &WebTokenRequestResult) -> windows::core::Result<WamOutcome> {
    let status = WamStatus::from_raw(result.ResponseStatus()?.0);
    let response = match result.ResponseData() {
        Ok(data) if data.Size()? > 0 => {
            let first = data.GetAt(0)?;
            Some(WamResponse {
                token: AccessToken::new(first.Token()?.to_string()),
                web_account_id: first
                    .WebAccount()
                    .and_then(|a| a.Id())
                    .ok()
                    .map(|id| id.to_string()),
                properties: pairs(&first.Properties()?)?,
            })
        }
        _ => None,
    };
    let error = result.ResponseError().ok().map(|e| {
        (
            e.ErrorCode().unwrap_or_default(),
            e.ErrorMessage().map(|m| m.to_string()).unwrap_or_default(),
        )
    });
    Ok(WamOutcome {
        status,
        response,
        error,
    })
}

/// Runs blocking WinRT work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|stopped| {
            Err(CoreError::Protocol {
                detail: format!("the Windows broker call stopped ({stopped})"),
            })
        })
}

impl Broker for WamBroker {
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>, CoreError>> {
        let (authority, client_id, environment) = (
            self.authority.clone(),
            self.client_id.clone(),
            self.environment.clone(),
        );
        Box::pin(blocking(move || {
            let provider = Self::provider(&authority)
                .map_err(winrt("find the work or school account provider"))?;
            let accounts =
                Self::web_accounts(&provider, &client_id).map_err(winrt("list its accounts"))?;
            Ok(accounts
                .into_iter()
                .filter_map(|(web, properties)| {
                    let username = web.UserName().ok()?.to_string();
                    wam::account_from_web_account(&username, &properties, &environment)
                })
                .collect())
        }))
    }

    fn acquire_token_silent<'a>(
        &'a self,
        scopes: &'a [String],
        account: &'a Account,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>> {
        let request = WamRequest::new(&self.authority, &self.client_id, scopes, None, None);
        let (authority, client_id, account_owned) = (
            self.authority.clone(),
            self.client_id.clone(),
            account.clone(),
        );
        Box::pin(async move {
            let outcome = blocking(move || {
                let provider = Self::provider(&authority)
                    .map_err(winrt("find the work or school account provider"))?;
                let web_account = Self::web_account_for(&provider, &client_id, &account_owned)?;
                let token_request =
                    Self::token_request(&provider, &request).map_err(winrt("build the request"))?;
                let result = WebAuthenticationCoreManager::GetTokenSilentlyWithWebAccountAsync(
                    &token_request,
                    &web_account,
                )
                .and_then(|operation| operation.join())
                .map_err(winrt("get a token silently"))?;
                outcome(&result).map_err(winrt("read its answer"))
            })
            .await?;
            self.finish(outcome, scopes)
        })
    }

    fn acquire_token_interactive<'a>(
        &'a self,
        scopes: &'a [String],
        login_hint: Option<&'a str>,
        parent: Option<ParentWindow>,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>> {
        let request = WamRequest::new(
            &self.authority,
            &self.client_id,
            scopes,
            None,
            Some(login_hint),
        );
        let authority = self.authority.clone();
        Box::pin(async move {
            let outcome = blocking(move || {
                let provider = Self::provider(&authority)
                    .map_err(winrt("find the work or school account provider"))?;
                let token_request =
                    Self::token_request(&provider, &request).map_err(winrt("build the request"))?;
                let window = match parent {
                    Some(ParentWindow(handle)) => HWND(handle as *mut core::ffi::c_void),
                    // SAFETY: no arguments; returns a handle or null.
                    None => unsafe { GetForegroundWindow() },
                };
                let interop = windows::core::factory::<
                    WebAuthenticationCoreManager,
                    IWebAuthenticationCoreManagerInterop,
                >()
                .map_err(winrt("reach the account picker"))?;
                let inspectable: IInspectable =
                    token_request.cast().map_err(winrt("build the request"))?;
                // SAFETY: `window` is a top-level window of this process (or the foreground one); the request lives until
                // the operation completes (joined below).
                let operation: IAsyncOperation<WebTokenRequestResult> =
                    unsafe { interop.RequestTokenForWindowAsync(window, &inspectable) }
                        .map_err(winrt("show the account picker"))?;
                let result = operation.join().map_err(winrt("sign in"))?;
                outcome(&result).map_err(winrt("read its answer"))
            })
            .await?;
            self.finish(outcome, scopes)
        })
    }

    fn sign_out<'a>(&'a self, account: &'a Account) -> BoxFuture<'a, Result<(), CoreError>> {
        let (authority, client_id, account) = (
            self.authority.clone(),
            self.client_id.clone(),
            account.clone(),
        );
        Box::pin(blocking(move || {
            let provider = Self::provider(&authority)
                .map_err(winrt("find the work or school account provider"))?;
            let web_account = Self::web_account_for(&provider, &client_id, &account)?;
            web_account
                .SignOutAsync()
                .and_then(|operation| operation.join())
                .map_err(winrt("sign the account out"))
        }))
    }
}

/// The Windows session's user, through SSPI.
#[derive(Debug)]
pub(super) struct SspiIdentity;

impl WindowsIdentity for SspiIdentity {
    fn user_principal_name(&self) -> Result<Option<String>, CoreError> {
        let mut size = 0u32;
        // SAFETY: a size query with no buffer; `size` receives the length needed, in UTF-16 units.
        let _ = unsafe { GetUserNameExW(NameUserPrincipal, None, &mut size) };
        if size == 0 {
            return Ok(None); // A local account (no UPN) or no domain to ask.
        }
        let mut buffer = vec![0u16; size as usize + 1];
        let mut length = buffer.len() as u32;
        // SAFETY: `buffer` holds `length` UTF-16 units; the call writes at most that many.
        let ok = unsafe {
            GetUserNameExW(
                NameUserPrincipal,
                Some(PWSTR(buffer.as_mut_ptr())),
                &mut length,
            )
        };
        if !ok {
            return Ok(None);
        }
        let upn = String::from_utf16_lossy(&buffer[..(length as usize).min(buffer.len())]);
        Ok(Some(upn.trim_end_matches('\0').to_owned()).filter(|u| !u.is_empty()))
    }

    fn negotiate(&self, host: &str) -> Result<Box<dyn NegotiateContext>, CoreError> {
        let mut credentials = SecHandle::default();
        // SAFETY: the current user's outbound Negotiate credentials; `credentials` is written on success and freed in
        // the context's `Drop`.
        unsafe {
            AcquireCredentialsHandleW(
                PCWSTR::null(),
                w!("Negotiate"),
                SECPKG_CRED_OUTBOUND,
                None,
                None,
                None,
                None,
                &mut credentials,
                None,
            )
        }
        .map_err(|e| negotiate_error("get the Windows session's credentials", &e))?;
        let target: Vec<u16> = format!("HTTP/{host}").encode_utf16().chain([0]).collect();
        Ok(Box::new(SspiContext {
            credentials,
            context: None,
            target,
        }))
    }
}

fn negotiate_error(what: &str, error: &windows::core::Error) -> CoreError {
    WindowsSignInError::Negotiate {
        detail: format!("could not {what} (0x{:08x})", error.code().0),
    }
    .into()
}

/// One SSPI Negotiate context.
struct SspiContext {
    credentials: SecHandle,
    context: Option<SecHandle>,
    target: Vec<u16>,
}

// SAFETY: SSPI handles are plain values, usable from any thread; the context is used by one thread at a time (`&mut`).
unsafe impl Send for SspiContext {}

impl NegotiateContext for SspiContext {
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<SecretBytes, CoreError> {
        let mut input = server_token.map(<[u8]>::to_vec).unwrap_or_default();
        let mut in_buffer = SecBuffer {
            cbBuffer: input.len() as u32,
            BufferType: SECBUFFER_TOKEN,
            pvBuffer: input.as_mut_ptr().cast(),
        };
        let in_desc = SecBufferDesc {
            ulVersion: SECBUFFER_VERSION,
            cBuffers: 1,
            pBuffers: &mut in_buffer,
        };
        let mut out_buffer = SecBuffer {
            cbBuffer: 0,
            BufferType: SECBUFFER_TOKEN,
            pvBuffer: core::ptr::null_mut(),
        };
        let mut out_desc = SecBufferDesc {
            ulVersion: SECBUFFER_VERSION,
            cBuffers: 1,
            pBuffers: &mut out_buffer,
        };
        let mut next = SecHandle::default();
        let mut attributes = 0u32;
        // SAFETY: every pointer is to a live local or field; SSPI allocates the output (ISC_REQ_ALLOCATE_MEMORY), which is
        // copied and freed below.
        let status = unsafe {
            InitializeSecurityContextW(
                Some(&self.credentials),
                self.context.as_ref().map(|c| c as *const SecHandle),
                Some(self.target.as_ptr()),
                ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_MUTUAL_AUTH,
                0,
                SECURITY_NATIVE_DREP,
                server_token
                    .is_some()
                    .then_some(&in_desc as *const SecBufferDesc),
                0,
                Some(&mut next),
                Some(&mut out_desc),
                &mut attributes,
                None,
            )
        };
        if status.is_err() {
            return Err(negotiate_error(
                "get a Kerberos ticket for the federation server",
                &windows::core::Error::from(status),
            ));
        }
        self.context = Some(next);
        let token = if out_buffer.pvBuffer.is_null() {
            Vec::new()
        } else {
            // SAFETY: SSPI wrote `cbBuffer` bytes at `pvBuffer`, which it allocated and we free once copied.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    out_buffer.pvBuffer.cast::<u8>(),
                    out_buffer.cbBuffer as usize,
                )
            }
            .to_vec();
            // SAFETY: the buffer SSPI allocated above.
            let _ = unsafe { FreeContextBuffer(out_buffer.pvBuffer) };
            bytes
        };
        Ok(SecretBytes::new(token))
    }
}

impl Drop for SspiContext {
    fn drop(&mut self) {
        // SAFETY: handles this context acquired and still owns.
        unsafe {
            if let Some(context) = self.context.take() {
                let _ = DeleteSecurityContext(&context);
            }
            let _ = FreeCredentialsHandle(&self.credentials);
        }
    }
}
